// Token views: see include/CFolioTokens.h for the contract.
//
// A token is a light userdata whose bits name a view slot, the slot's generation and the
// token's index: making one allocates nothing, and reading `t.kind` is one C call that indexes
// an array. Slots point into a Lua string (the document's text) and a full userdata (the token
// records) that the views' reference table keeps alive, so every byte read belongs to a live
// Lua object, and the garbage collector frees them once the slot lets go.
#include "CFolioTokens.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_TAG ((uint64_t)1 << 63)
#define TOKEN_INDEX_BITS 31
#define TOKEN_SLOT_BITS 16
#define TOKEN_GEN_SHIFT (TOKEN_INDEX_BITS + TOKEN_SLOT_BITS)
#define TOKEN_INDEX_MASK (((uint64_t)1 << TOKEN_INDEX_BITS) - 1)
#define TOKEN_SLOT_MASK (((uint64_t)1 << TOKEN_SLOT_BITS) - 1)
#define TOKEN_GEN_MASK 0xffffu
#define TOKEN_MAX_SLOTS ((uint32_t)1 << TOKEN_SLOT_BITS)

typedef struct FolioTokenSlot {
  const char *text;
  const FolioTokenRecord *records;
  uint32_t count;
  uint16_t gen;
  uint8_t live;
  uint8_t retired;   ///< the generation reached its last value: the slot is never used again
  uint8_t released;  ///< why the last view of this slot ended (FolioTokenStatus)
  uint64_t serial;   ///< when the view opened, for releasing the oldest first
  size_t bytes;
} FolioTokenSlot;

typedef struct FolioTokenViews {
  FolioTokenSlot *slots;  ///< malloc'd, `cap` long; freed by the holder's __gc
  uint32_t cap;
  uint32_t cursor;  ///< where the search for a free slot starts (round robin: generations
                    ///< of one slot advance slowly)
  uint32_t live;
  uint32_t retired;  ///< slots retired (their tokens stay stale for ever)
  size_t bytes;
  size_t budget;  ///< most bytes the views may hold before the oldest are released
  uint64_t serial;
  /// The field names, interned by Lua and anchored in the reference table: a key is one of
  /// them exactly when its bytes are at the same address.
  const char *name_kind, *name_text, *name_first, *name_last, *name_norm;
} FolioTokenViews;

static const char views_key = 'T';

static int views_gc(lua_State *L) {
  FolioTokenViews *v = (FolioTokenViews *)lua_touserdata(L, 1);
  if (v != NULL) {
    if (folio_state(L)->extension == v) folio_state(L)->extension = NULL;
    free(v->slots);
    v->slots = NULL;
    v->cap = 0;
  }
  return 0;
}

/// The views of this state and, pushed, their reference table; NULL (nothing pushed) before
/// folio_tokens_install.
static FolioTokenViews *views_with_refs(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &views_key) != LUA_TUSERDATA) {
    lua_pop(L, 1);
    return NULL;
  }
  FolioTokenViews *v = (FolioTokenViews *)lua_touserdata(L, -1);
  lua_getiuservalue(L, -1, 1);
  lua_remove(L, -2);
  return v;
}

static void *token_key(uint32_t slot, uint16_t gen, uint32_t index) {
  return (void *)(uintptr_t)(TOKEN_TAG | ((uint64_t)gen << TOKEN_GEN_SHIFT) |
                             ((uint64_t)slot << TOKEN_INDEX_BITS) | index);
}

/// Ends the view in `slot` (whose reference table is at `refs`): its tokens become stale.
static void release_slot(lua_State *L, FolioTokenViews *v, int refs, uint32_t slot, int why) {
  FolioTokenSlot *s = &v->slots[slot];
  if (!s->live) return;
  s->live = 0;
  s->released = (uint8_t)why;
  // A generation never wraps around: a slot whose generation reaches its last value retires,
  // so a token kept from a closed document can never name a later view (the slot table grows
  // instead, up to 2^16 slots of 2^16 generations each).
  s->gen = (uint16_t)(s->gen + 1);
  if (s->gen == TOKEN_GEN_MASK) {
    s->retired = 1;
    v->retired++;
  }
  s->text = NULL;
  s->records = NULL;
  s->count = 0;
  v->live--;
  v->bytes -= s->bytes;
  s->bytes = 0;
  refs = lua_absindex(L, refs);
  for (int k = 1; k <= 3; k++) {
    lua_pushnil(L);
    lua_rawseti(L, refs, (lua_Integer)slot * 3 + k);
  }
}

static void release_oldest(lua_State *L, FolioTokenViews *v, int refs) {
  uint32_t oldest = UINT32_MAX;
  for (uint32_t i = 0; i < v->cap; i++) {
    if (v->slots[i].live && (oldest == UINT32_MAX || v->slots[i].serial < v->slots[oldest].serial))
      oldest = i;
  }
  if (oldest != UINT32_MAX) release_slot(L, v, refs, oldest, FOLIO_TOKEN_EVICTED);
}

/// A free slot, growing the table or releasing the oldest view when every slot is taken.
static int free_slot(lua_State *L, FolioTokenViews *v, int refs, uint32_t *out) {
  while (v->live + v->retired == v->cap) {
    if (v->live == 0 && v->cap == TOKEN_MAX_SLOTS) return 0;  // every slot retired
    if (v->cap < TOKEN_MAX_SLOTS) {
      uint32_t cap = v->cap == 0 ? 16 : v->cap * 2;
      if (cap > TOKEN_MAX_SLOTS) cap = TOKEN_MAX_SLOTS;
      FolioTokenSlot *grown = realloc(v->slots, (size_t)cap * sizeof *grown);
      if (grown == NULL) return 0;
      memset(grown + v->cap, 0, (size_t)(cap - v->cap) * sizeof *grown);
      v->cursor = v->cap;
      v->slots = grown;
      v->cap = cap;
    } else {
      release_oldest(L, v, refs);
    }
  }
  for (uint32_t n = 0; n < v->cap; n++) {
    uint32_t i = (v->cursor + n) % v->cap;
    if (!v->slots[i].live && !v->slots[i].retired) {
      v->cursor = (i + 1) % v->cap;
      *out = i;
      return 1;
    }
  }
  return 0;
}

/// The slot and record of the token at `idx`, or a FolioTokenStatus saying why not.
static int resolve(FolioTokenViews *v, lua_State *L, int idx, uint32_t *slot_out,
                   uint32_t *index_out) {
  if (v == NULL) return FOLIO_TOKEN_NOT_TOKEN;
  // Without a type check: a full userdata's address never has the top bit (the tag) set in a
  // user-space process, and any other value gives NULL.
  uint64_t key = (uint64_t)(uintptr_t)lua_touserdata(L, idx);
  if (!(key & TOKEN_TAG)) return FOLIO_TOKEN_NOT_TOKEN;
  uint32_t slot = (uint32_t)((key >> TOKEN_INDEX_BITS) & TOKEN_SLOT_MASK);
  uint16_t gen = (uint16_t)((key >> TOKEN_GEN_SHIFT) & TOKEN_GEN_MASK);
  uint32_t index = (uint32_t)(key & TOKEN_INDEX_MASK);
  if (slot >= v->cap) return FOLIO_TOKEN_NOT_TOKEN;
  FolioTokenSlot *s = &v->slots[slot];
  if (!s->live || s->gen != gen) {
    // The slot's generation moved on: released once (the reason is known) or more often.
    int moved = (uint16_t)(s->gen - gen) & TOKEN_GEN_MASK;
    return moved == 1 && s->released ? s->released : FOLIO_TOKEN_CLOSED;
  }
  if (index >= s->count) return FOLIO_TOKEN_NOT_TOKEN;
  *slot_out = slot;
  *index_out = index;
  return FOLIO_TOKEN_OK;
}

static const char *stale_message(int status) {
  switch (status) {
    case FOLIO_TOKEN_EVICTED:
      return "this Token's view was released to bound memory (too many documents' tokens "
             "held at once): take doc:tokens() again, or keep t.text or t:totable()";
    case FOLIO_TOKEN_CLOSED:
      return "this Token's document is closed: tokens can be read only during the call that "
             "received their document (keep t.text or t:totable())";
    default:
      return "a Token expected";
  }
}

const char *folio_tokens_message(int status) { return stale_message(status); }

// __index of tokens. Upvalues: 1 the views (light userdata; read from the state's extra space
// instead, kept so that the methods stay the second upvalue, where tools look), 2 the methods
// table, 3 the `norm` function, 4.. the kind names in TokenKind order.
static int token_index(lua_State *L) {
  // The views from the state's extra space (a load), not from an upvalue (an API call): this
  // runs once per field read of every token.
  FolioTokenViews *v = (FolioTokenViews *)folio_state(L)->extension;
  uint32_t slot, index;
  int status = resolve(v, L, 1, &slot, &index);
  if (status != FOLIO_TOKEN_OK) {
    if (status == FOLIO_TOKEN_NOT_TOKEN) return 0;
    return luaL_error(L, "%s", stale_message(status));
  }
  const FolioTokenSlot *s = &v->slots[slot];
  const FolioTokenRecord *r = &s->records[index];
  if (lua_type(L, 2) == LUA_TSTRING) {
    const char *k = lua_tolstring(L, 2, NULL);
    if (k == v->name_kind) {
      lua_pushvalue(L, lua_upvalueindex(4 + (int)r->kind));
      return 1;
    }
    if (k == v->name_text) {
      lua_pushlstring(L, s->text + r->start, r->end - r->start);
      return 1;
    }
    if (k == v->name_first) {
      lua_pushinteger(L, (lua_Integer)r->start + 1);
      return 1;
    }
    if (k == v->name_last) {
      lua_pushinteger(L, (lua_Integer)r->end);
      return 1;
    }
    if (k == v->name_norm) {
      lua_pushvalue(L, lua_upvalueindex(3));
      lua_pushvalue(L, 1);
      lua_call(L, 1, 1);
      return 1;
    }
  }
  lua_settop(L, 2);
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(2));
  if (lua_isnil(L, -1) && lua_type(L, 2) == LUA_TSTRING) {
    // Not a field or a method: a token attribute (`pos`, `lemma`), answered by the methods
    // table's `__attr(token, name)`.
    lua_pop(L, 1);
    if (lua_getfield(L, lua_upvalueindex(2), "__attr") != LUA_TFUNCTION) return 0;
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 1);
  }
  return 1;
}

static int token_newindex(lua_State *L) {
  return luaL_error(L, "tokens are read-only: copy one with t:totable()");
}

int folio_tokens_install(lua_State *L, int nkinds) {
  // Stack: metatable, methods, norm, kind names.
  int top = lua_gettop(L);
  int meta = top - nkinds - 2;
  FolioTokenViews *v = (FolioTokenViews *)lua_newuserdatauv(L, sizeof(FolioTokenViews), 1);
  memset(v, 0, sizeof *v);
  v->budget = (size_t)-1;  // until the host sets it (folio_tokens_set_budget)
  folio_state(L)->extension = v;
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "__gc");
  lua_pushcfunction(L, views_gc);
  lua_rawset(L, -3);
  lua_setmetatable(L, -2);
  lua_newtable(L);
  static const char *const names[] = {"kind", "text", "first", "last", "norm"};
  const char **slots[] = {&v->name_kind, &v->name_text, &v->name_first, &v->name_last,
                          &v->name_norm};
  for (int i = 0; i < 5; i++) {
    *slots[i] = lua_pushstring(L, names[i]);
    lua_rawseti(L, -2, -1 - i);  // anchored: the slots' references use keys from 1
  }
  lua_setiuservalue(L, -2, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &views_key);
  lua_pushlightuserdata(L, v);
  lua_insert(L, meta + 1);  // views, methods, norm, kinds...: the upvalues in order
  lua_pushcclosure(L, token_index, nkinds + 3);
  lua_pushliteral(L, "__index");
  lua_insert(L, -2);
  lua_rawset(L, meta);
  lua_pushliteral(L, "__newindex");
  lua_pushcfunction(L, token_newindex);
  lua_rawset(L, meta);
  lua_pushlightuserdata(L, NULL);
  lua_pushvalue(L, meta);
  lua_setmetatable(L, -2);
  lua_settop(L, meta - 1);
  return 0;
}

FolioTokenRecord *folio_tokens_open(lua_State *L, int doc, int text, uint32_t count,
                                    uint64_t *view) {
  doc = lua_absindex(L, doc);
  text = lua_absindex(L, text);
  FolioTokenViews *v = views_with_refs(L);
  if (v == NULL || count > TOKEN_INDEX_MASK) return NULL;
  int refs = lua_gettop(L);
  size_t textlen = 0;
  const char *bytes = lua_tolstring(L, text, &textlen);
  size_t bytes_needed = textlen + (size_t)count * sizeof(FolioTokenRecord);
  while (v->live > 0 && v->bytes + bytes_needed > v->budget) release_oldest(L, v, refs);
  uint32_t slot;
  if (!free_slot(L, v, refs, &slot)) {
    lua_pop(L, 1);
    return NULL;
  }
  FolioTokenRecord *records =
      (FolioTokenRecord *)lua_newuserdatauv(L, (size_t)count * sizeof(FolioTokenRecord) + 1, 0);
  lua_rawseti(L, refs, (lua_Integer)slot * 3 + 3);
  lua_pushvalue(L, doc);
  lua_rawseti(L, refs, (lua_Integer)slot * 3 + 1);
  lua_pushvalue(L, text);
  lua_rawseti(L, refs, (lua_Integer)slot * 3 + 2);
  lua_pop(L, 1);
  FolioTokenSlot *s = &v->slots[slot];
  s->text = bytes;
  s->records = records;
  s->count = count;
  s->live = 1;
  s->serial = ++v->serial;
  s->bytes = bytes_needed;
  v->live++;
  v->bytes += bytes_needed;
  *view = ((uint64_t)s->gen << 16) | slot;
  return records;
}

/// The live slot of `view` (from folio_tokens_open), or NULL.
static FolioTokenSlot *view_slot(FolioTokenViews *v, uint64_t view, uint32_t *slot_out) {
  uint32_t slot = (uint32_t)(view & TOKEN_SLOT_MASK);
  uint16_t gen = (uint16_t)((view >> 16) & TOKEN_GEN_MASK);
  if (v == NULL || slot >= v->cap) return NULL;
  FolioTokenSlot *s = &v->slots[slot];
  if (!s->live || s->gen != gen) return NULL;
  *slot_out = slot;
  return s;
}

int folio_tokens_alive(lua_State *L, uint64_t view) {
  FolioTokenViews *v = views_with_refs(L);
  if (v == NULL) return 0;
  lua_pop(L, 1);
  uint32_t slot;
  return view_slot(v, view, &slot) != NULL;
}

void folio_tokens_set_budget(lua_State *L, size_t bytes) {
  FolioTokenViews *v = views_with_refs(L);
  if (v == NULL) return;
  v->budget = bytes;
  lua_pop(L, 1);
}

void folio_tokens_close_document(lua_State *L, int doc) {
  doc = lua_absindex(L, doc);
  FolioTokenViews *v = views_with_refs(L);
  if (v == NULL) return;
  int refs = lua_gettop(L);
  for (uint32_t i = 0; i < v->cap && v->live > 0; i++) {
    if (!v->slots[i].live) continue;
    lua_rawgeti(L, refs, (lua_Integer)i * 3 + 1);
    int same = lua_rawequal(L, -1, doc);
    lua_pop(L, 1);
    if (same) release_slot(L, v, refs, i, FOLIO_TOKEN_CLOSED);
  }
  lua_pop(L, 1);
}

int folio_tokens_push(lua_State *L, uint64_t view, const uint32_t *indices, uint32_t n) {
  FolioTokenViews *v = views_with_refs(L);
  if (v == NULL) return 0;
  lua_pop(L, 1);
  uint32_t slot;
  FolioTokenSlot *s = view_slot(v, view, &slot);
  if (s == NULL) return 0;
  uint32_t count = indices == NULL ? s->count : n;
  lua_createtable(L, (int)(count > INT32_MAX ? INT32_MAX : count), 0);
  for (uint32_t i = 0; i < count; i++) {
    uint32_t index = indices == NULL ? i : indices[i];
    if (index >= s->count) continue;
    lua_pushlightuserdata(L, token_key(slot, s->gen, index));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

int folio_tokens_get(lua_State *L, int idx, FolioTokenInfo *info) {
  FolioTokenViews *v = views_with_refs(L);
  if (v == NULL) return FOLIO_TOKEN_NOT_TOKEN;
  lua_pop(L, 1);
  uint32_t slot, index;
  int status = resolve(v, L, idx, &slot, &index);
  if (status != FOLIO_TOKEN_OK) return status;
  const FolioTokenSlot *s = &v->slots[slot];
  info->view = ((uint64_t)s->gen << 16) | slot;
  info->index = index;
  info->count = s->count;
  info->text = s->text;
  info->record = s->records[index];
  return FOLIO_TOKEN_OK;
}

void folio_tokens_pushdocument(lua_State *L, uint64_t view) {
  FolioTokenViews *v = views_with_refs(L);
  if (v == NULL) {
    lua_pushnil(L);
    return;
  }
  uint32_t slot;
  if (view_slot(v, view, &slot) == NULL) {
    lua_pop(L, 1);
    lua_pushnil(L);
    return;
  }
  lua_rawgeti(L, -1, (lua_Integer)slot * 3 + 1);
  lua_remove(L, -2);
}
