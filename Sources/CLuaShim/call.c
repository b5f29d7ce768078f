// Protected calls into Lua and the trampoline through which Lua calls Swift.
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

folio_dispatch_fn folio_host_dispatch = NULL;
folio_release_fn folio_host_release = NULL;

void folio_install_host(folio_dispatch_fn dispatch, folio_release_fn release) {
  folio_host_dispatch = dispatch;
  folio_host_release = release;
}

// ---------------------------------------------------------------------------------------------
// Protected calls

// Message handler: appends a traceback to string messages. Never runs a metamethod of the
// error object (a hostile __tostring must not run inside the handler).
static int folio_msgh(lua_State *L) {
  const char *msg;
  size_t len = 0;
  int t = lua_type(L, 1);
  if (t == LUA_TSTRING) {
    msg = lua_tolstring(L, 1, &len);
  } else if (t == LUA_TNUMBER) {
    msg = lua_pushfstring(L, "%s", lua_tostring(L, 1));
  } else if (t == LUA_TNIL) {
    msg = "nil";
  } else {
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  // Only a string can be long (the others are made above, short).
  if (len > FOLIO_MAX_MESSAGE) {
    // A message of megabytes would flood stderr: keep its start and say how long it was.
    char head[FOLIO_MAX_MESSAGE + 1];
    size_t keep = FOLIO_MAX_MESSAGE;
    while (keep > 0 && ((unsigned char)msg[keep] & 0xC0) == 0x80) keep--;  // a whole character
    memcpy(head, msg, keep);
    head[keep] = 0;
    msg = lua_pushfstring(L, "%s... (message cut: %I bytes in all)", head, (lua_Integer)len);
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int folio_pcall(lua_State *L, int nargs, int nresults) {
  FolioVMState *s = folio_state(L);
  int base = lua_gettop(L) - nargs;  // the function's index
  if (!lua_checkstack(L, 2)) {
    lua_settop(L, base - 1);
    lua_pushliteral(L, "stack overflow (too many values on the Lua stack)");
    return LUA_ERRERR;
  }
  lua_pushcfunction(L, folio_msgh);
  lua_insert(L, base);
  int outermost = s->call_depth == 0;
  if (outermost) {
    s->instr_used = 0;
    s->tripped = FOLIO_TRIP_NONE;
    s->refuse_growth = 0;
    s->watch_hit = 0;
    folio_rest_hook(L);
    folio_watch_begin(L, s, s->timeout_ns ? folio_now_ns() + s->timeout_ns : 0);
  }
  int saved_depth = s->host_depth;
  s->host_depth = 0;  // errors now stop at this pcall, inside the Swift frame
  s->call_depth++;
  int status = lua_pcall(L, nargs, nresults, base);
  s->call_depth--;
  s->host_depth = saved_depth;  // no allocation is refused from here on
  if (outermost && status == LUA_OK && s->tripped != FOLIO_TRIP_NONE) {
    // A limit tripped where its error could be dropped (a coroutine's close handler): the
    // call still fails with it.
    lua_settop(L, base - 1);
    lua_pushnil(L);  // in place of the message handler, removed below
    folio_push_trip(L, NULL);
    status = LUA_ERRRUN;
  }
  lua_remove(L, base);
  if (outermost && status == LUA_ERRMEM) {
    // Recover: collect what the failed call left behind while no allocation can be refused.
    lua_gc(L, LUA_GCCOLLECT);
  }
  if (outermost) {
    folio_watch_end(s);
    s->last_trip = status == LUA_OK ? FOLIO_TRIP_NONE : s->tripped;
    s->tripped = FOLIO_TRIP_NONE;
    folio_rest_hook(L);
  }
  return status;
}

int folio_load(lua_State *L, const char *buf, size_t len, const char *chunkname) {
  return luaL_loadbufferx(L, buf, len, chunkname, "t");
}

static int folio_next_k(lua_State *L) {
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

int folio_next(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  int key = lua_gettop(L);
  lua_pushcfunction(L, folio_next_k);
  lua_pushvalue(L, idx);
  lua_pushvalue(L, key);
  int status = lua_pcall(L, 2, 2, 0);
  if (status != LUA_OK) {
    lua_remove(L, key);
    return -1;
  }
  if (lua_isnil(L, -2)) {
    lua_settop(L, key - 1);
    return 0;
  }
  lua_remove(L, key);
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Host functions

// Raises LUA_ERRMEM if the soft cap was crossed while Swift ran: a small allocation is refused
// now that no Swift frame is live, Lua collects garbage, and fails genuinely if still over.
static void folio_recheck_memory(lua_State *L, FolioVMState *s) {
  if (s->limit != 0 && s->used + s->host_bytes > s->limit) {
    lua_newuserdatauv(L, 1, 0);
    lua_pop(L, 1);
  }
}

static int folio_trampoline(lua_State *L) {
  FolioVMState *s = folio_state(L);
  void *function = lua_touserdata(L, lua_upvalueindex(1));
  s->host_depth++;
  int n = folio_host_dispatch(L, function);
  s->host_depth--;
  // The Swift frame has returned: raising is safe from here on. A long Swift loop that saw
  // the deadline or Ctrl-C (folio_poll) stopped early, whatever it returned: raise the limit's
  // error, as the hook would have.
  if (s->tripped != FOLIO_TRIP_NONE) folio_charge(L, 0);
  switch (n) {
    case FOLIO_HOST_RAISE:
      return lua_error(L);
    case FOLIO_HOST_RAISE_WHERE:
      luaL_where(L, 1);
      lua_insert(L, -2);
      lua_concat(L, 2);
      return lua_error(L);
    case FOLIO_HOST_NOMEMORY:
      s->refuse_growth = 2;
      lua_newuserdatauv(L, 1, 0);  // raises LUA_ERRMEM
      s->refuse_growth = 0;         // (not reached unless Lua gave the memory anyway)
      return luaL_error(L, "not enough memory");
    case FOLIO_HOST_ARGERROR:
      return luaL_argerror(L, s->err_arg, lua_tostring(L, -1));
    case FOLIO_HOST_TYPEERROR: {
      // The type name must leave the stack first: luaL_typeerror looks at argument err_arg,
      // which may be the slot the name was pushed into when the argument is absent.
      char tname[128];
      snprintf(tname, sizeof tname, "%s", lua_tostring(L, -1));
      lua_pop(L, 1);
      return luaL_typeerror(L, s->err_arg, tname);
    }
    default:
      break;
  }
  if (n < 0) return luaL_error(L, "host function returned an invalid status %d", n);
  folio_recheck_memory(L, s);
  return n;
}

void folio_pushhostfunction(lua_State *L, void *function) {
  lua_pushlightuserdata(L, function);
  lua_pushcclosure(L, folio_trampoline, 1);
}
