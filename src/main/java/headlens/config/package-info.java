/**
 * The encoder's architecture as HuggingFace's {@code config.json} states it ({@link headlens.config.EncoderConfig}:
 * sizes, activation, {@code pruned_heads}, unknown fields kept for the rewrite). It sits below both the converter,
 * which writes it, and the model, which builds from it, so that neither imports the other's package. Training and
 * sweep settings are not here: they live with {@code train} and the runner.
 */
package headlens.config;
