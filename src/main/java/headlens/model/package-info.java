/**
 * The encoder in SameDiff ({@link headlens.model.Encoder}) and where a model comes from
 * ({@link headlens.model.ModelSource}: a model directory, a name under {@code $HEADLENS_HOME/models}, the embedded
 * default). Attention heads are addressed here as well, below training and the head experiments that use them:
 * {@link headlens.model.HeadId} (layer and original head index), {@link headlens.model.HeadLayout} (where a head sits
 * after physical pruning) and {@link headlens.model.HeadMask} (the mask-mode pruning of a model directory, applied
 * when a model is loaded).
 */
package headlens.model;
