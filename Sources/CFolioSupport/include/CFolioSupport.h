#ifndef CFOLIOSUPPORT_H
#define CFOLIOSUPPORT_H

/// Asks the CPU to fetch the cache line at `p` for writing: lookups in large hash tables
/// start their cache misses early and overlap them (TermCounter).
static inline void folio_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

#endif
