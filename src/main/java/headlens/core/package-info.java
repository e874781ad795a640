/**
 * The bottom layer, which every package may use and which uses no other headlens package (ArchitectureTest checks
 * it): {@link headlens.core.HeadlensException}, the error for bad input (a file, a flag, a tensor), printed as one
 * line with exit code 2 by {@code cli.Main}; {@link headlens.core.AtomicFiles}, the one writer of outputs that appear
 * whole or not at all (files and directories, temp + fsync + rename); {@link headlens.core.Json}, the shared Jackson
 * mappers.
 */
package headlens.core;
