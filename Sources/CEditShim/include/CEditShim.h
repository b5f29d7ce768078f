// Wrappers around libedit's readline globals: Swift 6 cannot touch C globals safely, and the
// REPL reads and writes them only from its one thread.
#ifndef FOLIO_CEDITSHIM_H
#define FOLIO_CEDITSHIM_H

#include <stddef.h>

// Returns a NULL-terminated, malloc'd list: [0] the replacement, [1...] the candidates
// (libedit frees it), or NULL for none. `end` is the cursor's byte offset in `line`.
typedef char **(*folio_complete_fn)(const char *line, int start, int end);

// Sets the program name, the word-break characters, the completion callback and turns off
// libedit's own signal handling. Call once.
void folio_edit_setup(const char *name, const char *word_breaks, folio_complete_fn complete);

// readline(): a malloc'd line, or NULL at end of input (or after Ctrl-C).
char *folio_edit_readline(const char *prompt);

void folio_edit_add_history(const char *line);
void folio_edit_stifle_history(int max);

#endif
