// CFolioTokens: FolioLua's token views in C (DESIGN.md §2.7), kept out of CLuaShim, which knows
// nothing of documents. The views live in the VM's `extension` slot (FolioVMState).
#ifndef FOLIO_CFOLIOTOKENS_H
#define FOLIO_CFOLIOTOKENS_H

#include "CLuaShim.h"

// ---------------------------------------------------------------------------------------------
// Token views (DESIGN.md §2.7: millions of small objects are indexes into a store)
//
// A token is a light userdata naming a view, the view's generation and the token's index. A view
// holds a document's text (a Lua string) and its token records (a full userdata), kept alive by
// a reference table in the registry; all light userdata share one metatable whose __index reads
// the fields in C. Releasing a view makes its tokens stale: reading one is an error that says why.

/// One token: byte offsets (0-based, end exclusive) and the TokenKind raw value.
typedef struct FolioTokenRecord {
  uint32_t start;
  uint32_t end;
  uint32_t kind;
} FolioTokenRecord;

/// What folio_tokens_get found.
typedef enum FolioTokenStatus {
  FOLIO_TOKEN_OK = 0,
  FOLIO_TOKEN_NOT_TOKEN = 1,  ///< not a token (any other value)
  FOLIO_TOKEN_CLOSED = 2,     ///< its document was closed (the call that received it ended)
  FOLIO_TOKEN_EVICTED = 3,    ///< released to bound the memory views hold
} FolioTokenStatus;

/// A live token's view, index and record, and its view's text.
typedef struct FolioTokenInfo {
  uint64_t view;
  uint32_t index;
  uint32_t count;
  const char *text;
  FolioTokenRecord record;
} FolioTokenInfo;

/// Installs token views: makes the metatable below `nkinds + 2` values (methods table, the
/// `norm` function, then the `nkinds` kind names) the metatable of light userdata, with a C
/// `__index` (fields `kind`, `text`, `first`, `last`, `norm`, then the methods) and a
/// `__newindex` that refuses. Pops all of them. Stack: [-(nkinds+3), +0, m]
int folio_tokens_install(lua_State *L, int nkinds);
/// Opens a view of `count` tokens over the text string at `text`, for the document userdata at
/// `doc`; returns the records to fill (NULL when views are not installed) and sets `*view`.
/// Releases the oldest views when too many are open. Stack: [-0, +0, m]
FolioTokenRecord *folio_tokens_open(lua_State *L, int doc, int text, uint32_t count,
                                    uint64_t *view);
/// 1 when `view` is open.
int folio_tokens_alive(lua_State *L, uint64_t view);
/// Sets the most bytes (texts and records) open views may hold; 256 MiB unless set.
void folio_tokens_set_budget(lua_State *L, size_t bytes);
/// Ends every view of the document userdata at `doc`. Stack: [-0, +0, -]
void folio_tokens_close_document(lua_State *L, int doc);
/// Pushes a table of the tokens of `view` at `indices` (`n` of them; every token when NULL);
/// returns 0 and pushes nothing when the view is not open. Stack: [-0, +(0|1), m]
int folio_tokens_push(lua_State *L, uint64_t view, const uint32_t *indices, uint32_t n);
/// Fills `info` for the token at `idx`; returns a FolioTokenStatus. Stack: [-0, +0, -]
int folio_tokens_get(lua_State *L, int idx, FolioTokenInfo *info);
/// Pushes the document userdata of `view`, or nil. Stack: [-0, +1, -]
void folio_tokens_pushdocument(lua_State *L, uint64_t view);
/// The message for a stale token's FolioTokenStatus.
const char *folio_tokens_message(int status);

#endif
