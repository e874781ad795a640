/**
 * Will ND4J run here, decided before it is touched: the backend on the class path, the CPU natives against the CPU's
 * instruction sets ({@link headlens.backend.CpuNatives}), and the GPUs against the kernels of ND4J's CUDA build
 * ({@link headlens.backend.GpuSupport}, a pure decision; {@link headlens.backend.NvidiaSmi} asks the driver).
 * {@link headlens.backend.BackendCheck} combines them for {@code cli.Main}'s start-up check and {@code headlens doctor}.
 */
package headlens.backend;
