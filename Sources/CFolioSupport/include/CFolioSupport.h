#ifndef CFOLIOSUPPORT_H
#define CFOLIOSUPPORT_H

/// Asks the CPU to fetch the cache line at `p` for writing: lookups in large hash tables
/// start their cache misses early and overlap them (Counter).
static inline void folio_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

/// Starts writing the file's dirty pages to disk without waiting (Linux `sync_file_range`
/// with SYNC_FILE_RANGE_WRITE; nothing elsewhere): an output's final fsync then waits only
/// for what was written last (AtomicFile).
void folio_start_writeback(int fd);

#endif
