// Guards on standard library functions that could escape the limits (DESIGN.md §3): loops in C
// that the count hook cannot see, finalizers that run with the hook off, and nesting of C calls
// deep enough to crash liblua itself.
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "CLuaShim.h"

enum {
  /// Elements table.move and table.concat handle between two charges (and deadline checks).
  GUARD_CHUNK = 4096,
  /// The C stack a nested coroutine call must leave free: liblua 5.4.4 does not count the C
  /// frames of coroutine.close (nor of a failed coroutine.wrap call, which closes its
  /// coroutine), so __close handlers closing one coroutine inside another overflow the stack.
  GUARD_STACK_RESERVE = 256 * 1024,
};

// ---------------------------------------------------------------------------------------------
// C stack

/// The lowest usable address of this OS thread's stack, found once per thread.
static __thread char *t_stack_low;

static char *guard_stack_low(void) {
  if (t_stack_low == NULL) {
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    // Unknown: assume a small stack below the current frame (512 KiB, libdispatch's).
    char here;
    t_stack_low = addr != NULL ? (char *)addr : &here - 512 * 1024;
  }
  return t_stack_low;
}

/// Raises "C stack overflow" when less than GUARD_STACK_RESERVE of this thread's stack is left.
static void guard_cstack(lua_State *L) {
  char here;
  char *low = guard_stack_low();
  if (&here - low < GUARD_STACK_RESERVE) {
    luaL_error(L, "C stack overflow (coroutines nested too deeply)");
  }
}

// coroutine.resume, coroutine.close and the functions coroutine.wrap makes, as lcorolib.c has
// them, with the stack check before each resume or close.

/// Resumes `co` with `narg` values from L's top; moves the results (>= 0 returned) or the error
/// message (-1) to L.
static int guard_resume(lua_State *L, lua_State *co, int narg) {
  guard_cstack(L);
  if (!lua_checkstack(co, narg)) {
    lua_pushliteral(L, "too many arguments to resume");
    return -1;
  }
  lua_xmove(L, co, narg);
  int nres;
  int status = lua_resume(co, L, narg, &nres);
  // A limit that tripped inside the coroutine stops its resumer too: the error does not stay
  // a return value the caller could ignore.
  if (folio_state(L)->tripped != FOLIO_TRIP_NONE) folio_charge(L, 0);
  if (status != LUA_OK && status != LUA_YIELD) {
    lua_xmove(co, L, 1);
    return -1;
  }
  if (!lua_checkstack(L, nres + 1)) {
    lua_pop(co, nres);
    lua_pushliteral(L, "too many results to resume");
    return -1;
  }
  lua_xmove(co, L, nres);
  return nres;
}

static lua_State *guard_thread(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  luaL_argexpected(L, co != NULL, 1, "coroutine");
  return co;
}

static int guard_coresume(lua_State *L) {
  lua_State *co = guard_thread(L);
  int r = guard_resume(L, co, lua_gettop(L) - 1);
  lua_pushboolean(L, r >= 0);
  lua_insert(L, r >= 0 ? -(r + 1) : -2);
  return r >= 0 ? r + 1 : 2;
}

int folio_guard_auxwrap(lua_State *L) {
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  int r = guard_resume(L, co, lua_gettop(L));
  if (r >= 0) return r;
  int status = lua_status(co);
  if (status != LUA_OK && status != LUA_YIELD) {
    // An error in the coroutine: close its to-be-closed variables, keep the new message.
    guard_cstack(L);
    status = lua_resetthread(co);
    if (folio_state(L)->tripped != FOLIO_TRIP_NONE) folio_charge(L, 0);
    lua_xmove(co, L, 1);
  }
  if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

static int guard_coclose(lua_State *L) {
  lua_State *co = guard_thread(L);
  const char *state = NULL;
  if (co == L) {
    state = "running";
  } else if (lua_status(co) == LUA_OK) {
    lua_Debug ar;
    if (lua_getstack(co, 0, &ar)) state = "normal";
  }
  if (state != NULL) return luaL_error(L, "cannot close a %s coroutine", state);
  guard_cstack(L);
  int status = lua_resetthread(co);
  if (folio_state(L)->tripped != FOLIO_TRIP_NONE) folio_charge(L, 0);
  if (status == LUA_OK) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushboolean(L, 0);
  lua_xmove(co, L, 1);
  return 2;
}

static void guard_field(lua_State *L, int table, const char *name, lua_CFunction f) {
  lua_getfield(L, table, name);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return;
  }
  lua_pushcclosure(L, f, 1);
  lua_setfield(L, table, name);
}

// ---------------------------------------------------------------------------------------------
// table.move and table.concat in chunks

// table.move(a1, f, e, t [, a2]): the library's (upvalue 1) on chunks of GUARD_CHUNK elements,
// charged one step an element, in the order that keeps overlapping moves right.
static int guard_move(lua_State *L) {
  lua_Integer f = luaL_checkinteger(L, 2);
  lua_Integer e = luaL_checkinteger(L, 3);
  lua_Integer t = luaL_checkinteger(L, 4);
  int tt = !lua_isnoneornil(L, 5) ? 5 : 1;
  if (e < f || (e - f) < GUARD_CHUNK) {
    // Small (or empty): the library's own call, with all its checks.
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
  }
  // The library's checks on the whole range (as in ltablib.c), before anything moves.
  luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
  lua_Integer n = e - f + 1;
  luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
  int backwards = !(t > e || t <= f || (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ)));
  for (lua_Integer done = 0; done < n; done += GUARD_CHUNK) {
    lua_Integer size = n - done < GUARD_CHUNK ? n - done : GUARD_CHUNK;
    lua_Integer from = backwards ? f + (n - done - size) : f + done;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushinteger(L, from);
    lua_pushinteger(L, from + size - 1);
    lua_pushinteger(L, t + (from - f));
    lua_pushvalue(L, tt);
    lua_call(L, 5, 0);
    folio_charge(L, (uint64_t)size);
  }
  lua_pushvalue(L, tt);
  return 1;
}

// table.concat(list [, sep [, i [, j]]]): the library's (upvalue 1) on chunks, charged one
// step an element.
static int guard_concat(lua_State *L) {
  size_t lsep;
  luaL_optlstring(L, 2, "", &lsep);
  lua_Integer i = luaL_optinteger(L, 3, 1);
  lua_Integer last = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
  if (last < i || last - i < GUARD_CHUNK) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
  }
  lua_settop(L, 2);
  if (lua_isnil(L, 2)) {
    lua_pushliteral(L, "");
    lua_replace(L, 2);
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (;;) {
    lua_Integer j = last - i < GUARD_CHUNK ? last : i + GUARD_CHUNK - 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushinteger(L, i);
    lua_pushinteger(L, j);
    lua_call(L, 4, 1);
    luaL_addvalue(&b);
    folio_charge(L, (uint64_t)(j - i + 1));
    if (j == last) break;
    lua_pushvalue(L, 2);
    luaL_addvalue(&b);
    i = j + 1;
  }
  luaL_pushresult(&b);
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Finalizers

// setmetatable(t, mt) for plugins, as lbaselib.c has it, except that a metatable with a __gc field is refused. Lua runs
// finalizers with hooks off (at any allocation, and when the state closes), so no limit could
// stop one; Luau makes the same choice. A __gc added to the metatable later is never called:
// Lua marks an object for finalization only when setmetatable sees the field.
static int guard_setmetatable(lua_State *L) {
  int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) {
      return luaL_error(L, "__gc metamethods are not allowed in plugins (a finalizer runs "
                           "outside the limits); use a <close> variable instead");
    }
    lua_pop(L, 1);
  }
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
    return luaL_error(L, "cannot change a protected metatable");
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

void folio_guard_library(lua_State *L, int sandbox) {
  if (lua_getglobal(L, LUA_TABLIBNAME) == LUA_TTABLE) {
    int t = lua_gettop(L);
    guard_field(L, t, "move", guard_move);
    guard_field(L, t, "concat", guard_concat);
  }
  lua_pop(L, 1);
  if (lua_getglobal(L, LUA_COLIBNAME) == LUA_TTABLE) {
    int t = lua_gettop(L);
    lua_pushcfunction(L, guard_coresume);
    lua_setfield(L, t, "resume");
    lua_pushcfunction(L, guard_coclose);
    lua_setfield(L, t, "close");
  }
  lua_pop(L, 1);
  if (sandbox) {
    lua_pushcfunction(L, guard_setmetatable);
    lua_setglobal(L, "setmetatable");
  }
}

