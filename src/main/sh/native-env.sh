# The environment ND4J's CPU natives run best in. Sourced by ./headlens and benchmarks/java.sh; the tests get the same
# values from pom.xml (surefire), and `headlens doctor` checks them. A value already set is kept.

# OpenMP's spinning default ran 1.5x slower here than passive waiting.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# glibc's dynamic mmap threshold otherwise keeps freed ND4J buffers in the heap, unreused: RSS climbed 1.8 GB per
# MiniLM forward at 32 x 128 (benchmarks/README.md, "Memory"). A fixed threshold returns them to the OS on close.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
# Each such buffer then comes back as fresh pages that ND4J touches one by one, a page fault per 4 KiB. Transparent huge
# pages for malloc's mappings make that one per 2 MiB where the kernel's THP mode is "madvise" or "always": an mBERT
# fine-tune with its evaluation ran 1.3x faster, with the same results (benchmarks/malloc-thp.sh). glibc < 2.35 ignores it.
case ":${GLIBC_TUNABLES:-}:" in
  *:glibc.malloc.hugetlb=*) ;;
  *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
esac
