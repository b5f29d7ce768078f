// The functions of CFolioSupport.h that are not inline.
#define _GNU_SOURCE
#include "CFolioSupport.h"

#ifdef __linux__
#include <fcntl.h>
void folio_start_writeback(int fd) { (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE); }
#else
void folio_start_writeback(int fd) { (void)fd; }
#endif
