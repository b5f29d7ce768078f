// The Lua state: its allocator (the soft memory cap), its panic handler, opening and closing.
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

// ---------------------------------------------------------------------------------------------
// Allocator

static void *folio_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  FolioVMState *s = (FolioVMState *)ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    s->used -= old;
    return NULL;
  }
  // A soft cap: refuse only when no Swift frame can be jumped over by the memory error. The
  // host's bytes (counters, spans, meta) count with Lua's own.
  if (s->limit != 0 && nsize > old && s->host_depth == 0) {
    if (s->refuse_growth > 0) {
      // A host function was refused: Lua asks twice (before and after an emergency
      // collection), then raises LUA_ERRMEM.
      s->refuse_growth--;
      return NULL;
    }
    if (s->used - old + nsize + s->host_bytes > s->limit) return NULL;
  }
  void *p = realloc(ptr, nsize);
  if (p == NULL) return NULL;
  s->used = s->used - old + nsize;
  return p;
}


static int folio_panic(lua_State *L) {
  const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(not a string)";
  fprintf(stderr, "folio: fatal: unprotected Lua error: %s\n", msg);
  abort();
  return 0;
}

lua_State *folio_newstate(FolioVMState *state) {
  memset(state, 0, sizeof(*state));
  state->host_depth = 1;  // the Swift caller is a frame that must not be jumped over
  state->hook_every = FOLIO_HOOK_EVERY;
  lua_State *L = lua_newstate(folio_alloc, state);
  if (L == NULL) return NULL;
  *(FolioVMState **)lua_getextraspace(L) = state;
  state->main = L;
  lua_atpanic(L, folio_panic);
  folio_watch_register(state);
  return L;
}

void folio_closestate(lua_State *L) {
  FolioVMState *s = folio_state(L);
  folio_watch_unregister(s);
  lua_close(L);
}
