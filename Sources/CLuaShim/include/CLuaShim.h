// CLuaShim: the only C logic in Folio (DESIGN.md §1-3).
//
// Swift must never be jumped over by a Lua error (longjmp). Everything here exists so that
// Swift never calls a Lua API function that can raise:
// - host functions are called through `folio_trampoline`, which raises (lua_error) only after
//   the Swift frame has returned;
// - Swift calls Lua only through `folio_pcall`, a protected call with a traceback handler;
// - the counting allocator never refuses memory while a Swift frame is live (a soft cap) and
//   the trampoline turns a crossed cap into a genuine LUA_ERRMEM once Swift has returned;
// - the count hook enforces an instruction budget, a wall-clock deadline and interrupts, and
//   keeps raising once tripped so that `pcall` cannot swallow it. Any count hook makes Lua 5.4
//   trace every instruction, so the main thread carries one only under an instruction budget:
//   a watchdog thread signals a call that passed its deadline or was interrupted, and the
//   signal handler installs the hook (as lua.c does for Ctrl-C). Coroutines always carry it.
#ifndef FOLIO_CLUASHIM_H
#define FOLIO_CLUASHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/// Why the limits hook stopped the running code.
typedef enum FolioTrip {
  FOLIO_TRIP_NONE = 0,
  FOLIO_TRIP_INSTRUCTIONS = 1,
  FOLIO_TRIP_DEADLINE = 2,
  FOLIO_TRIP_INTERRUPT = 3,
} FolioTrip;

/// What a Swift host function returns to the trampoline besides a result count (>= 0).
typedef enum FolioHostStatus {
  /// Raise the value on top of the stack as it is.
  FOLIO_HOST_RAISE = -1,
  /// Raise the string on top prefixed with the caller's position (like luaL_error).
  FOLIO_HOST_RAISE_WHERE = -2,
  /// luaL_argerror(L, err_arg, <string on top>).
  FOLIO_HOST_ARGERROR = -3,
  /// luaL_typeerror(L, err_arg, <type name on top>).
  FOLIO_HOST_TYPEERROR = -4,
  /// A genuine memory error (LUA_ERRMEM): the host would pass the VM's memory limit.
  FOLIO_HOST_NOMEMORY = -5,
} FolioHostStatus;

/// Per-VM state shared by the allocator, the hook and the trampoline. Owned by Swift.
typedef struct FolioVMState {
  size_t used;             ///< bytes currently allocated by this VM
  size_t limit;            ///< memory cap in bytes; 0 = none
  int host_depth;          ///< > 0 while a Swift frame may be jumped over: never refuse memory
  int call_depth;          ///< nesting of folio_pcall; limits reset at depth 0
  uint64_t instr_limit;    ///< instruction budget per outermost call; 0 = none
  uint64_t instr_used;     ///< instructions counted in the current outermost call
  uint64_t timeout_ns;     ///< wall-clock budget per outermost call; 0 = none
  uint64_t deadline_ns;    ///< absolute deadline (CLOCK_MONOTONIC) of the current call
  int hook_every;          ///< instructions between two hook calls
  int tripped;             ///< a FolioTrip; sticky until the outermost call returns
  int last_trip;           ///< what tripped in the last outermost call that failed
  int err_arg;             ///< argument index for FOLIO_HOST_ARGERROR / TYPEERROR
  intptr_t live_objects;   ///< host objects pushed and not yet collected
  size_t host_bytes;       ///< bytes the host holds for this VM (counters, spans, meta):
                           ///< they count against `limit` with Lua's own
  size_t doc_bytes;        ///< the part of host_bytes held for the open document
  int refuse_growth;       ///< refuse this many growing allocations (a host refusal)
  volatile sig_atomic_t watch_hit;  ///< the watchdog signalled this call (deadline, Ctrl-C)
  void *host;              ///< the Swift LuaVM (unretained)
  void *extension;         ///< one pointer the host's own C code keeps per VM (FolioLua's token views)
  lua_State *main;         ///< the state's main thread
  // The watchdog's view of the outermost call (guarded by watch_lock).
  pthread_mutex_t watch_lock;
  pthread_t watch_thread;  ///< the OS thread running the call
  int watch_active;        ///< 1 while an outermost call runs
  int watch_registered;    ///< 1 while on the watchdog's list
  lua_State *watch_outer;  ///< the VM whose call this call runs inside, on the same OS thread
  struct FolioVMState *watch_next;
} FolioVMState;

/// The Swift dispatcher: runs the host function `function` (the handle `folio_pushhostfunction`
/// was given) and returns a result count or a FolioHostStatus.
typedef int (*folio_dispatch_fn)(lua_State *L, void *function);
/// Releases one host object (balanced with the retain done when it was pushed).
typedef void (*folio_release_fn)(void *object);

/// Installs the Swift dispatcher and release function (once per process, before any VM).
void folio_install_host(folio_dispatch_fn dispatch, folio_release_fn release);

/// Creates a Lua state using the counting allocator; `state` must outlive it.
/// Returns NULL when no memory is available.
lua_State *folio_newstate(FolioVMState *state);
/// Closes a state made by folio_newstate (instead of lua_close): the watchdog forgets it first.
void folio_closestate(lua_State *L);
/// The FolioVMState of a Lua state (any thread of it): a load from the state's extra space,
/// inline because token field reads use it once per read.
static inline FolioVMState *folio_state(lua_State *L) {
  return *(FolioVMState **)lua_getextraspace(L);
}

/// Opens the full standard library (REPL, scripts). Protected; returns a Lua status.
int folio_open_full(lua_State *L);
/// Opens the sandboxed library set of DESIGN.md §3. Protected; returns a Lua status.
int folio_open_sandbox(lua_State *L);

/// Charges `steps` of work done inside a C function (pattern matching) against the VM's
/// instruction budget, and checks its deadline and Ctrl-C; raises the limit's error when one
/// has tripped. Call only from C code running under a protected call.
void folio_charge(lua_State *L, uint64_t steps);

/// Replaces string.find, match, gmatch and gsub with Folio's matcher, which follows Lua's
/// pattern language exactly and charges its steps with `folio_charge`, so a pathological
/// pattern stops at the instruction budget or the deadline like any Lua loop.
void folio_guard_patterns(lua_State *L);

/// Calls the function below `nargs` arguments in protected mode with a traceback handler.
/// On error the message (with "\nstack traceback:" appended when the error was a runtime
/// error) is left on top. Resets the limits when it is the outermost call.
/// Stack: [-(nargs+1), +(nresults|1), -]
int folio_pcall(lua_State *L, int nargs, int nresults);

/// Loads a text chunk (binary chunks are refused). Stack: [-0, +1, -]
int folio_load(lua_State *L, const char *buf, size_t len, const char *chunkname);

/// Protected lua_next over the table at `idx`: pops a key, pushes the next key and value and
/// returns 1; returns 0 at the end (key popped); -1 on error (key popped, message pushed).
int folio_next(lua_State *L, int idx);

/// A growable byte buffer owned by the caller (free `data` with `free`).
typedef struct FolioBlob {
  unsigned char *data;
  size_t length;
  size_t capacity;
} FolioBlob;

/// Copies the value at `idx` into `blob` as plain data (nil, booleans, numbers, strings and
/// tables of them, read raw), in one protected call. On failure returns a Lua status and pushes
/// a message naming where the offending value was (`["counts"]["x"]: a function ...`).
/// Stack: [-0, +(0|1), -]
int folio_serialize(lua_State *L, int idx, FolioBlob *blob);

/// Pushes the value `folio_serialize` wrote, in one protected call. On failure pushes a message
/// and returns a Lua status. Stack: [-0, +1, -]
int folio_deserialize(lua_State *L, const unsigned char *data, size_t length);

/// Pushes a host function: a C closure of the trampoline with the handle `function` (owned by
/// the Swift VM, which outlives the state) as a light-userdata upvalue. Stack: [-0, +1, m]
void folio_pushhostfunction(lua_State *L, void *function);

/// Pushes a new host object userdata holding `object` (already retained), with `nuv` user
/// values and the metatable stored in the registry under `typekey`. Stack: [-0, +1, m]
void **folio_newobject(lua_State *L, void *object, const void *typekey, int nuv);
/// The object pointer of userdata at `idx` if its metatable is the one for `typekey`, else NULL.
void *folio_toobject(lua_State *L, int idx, const void *typekey);
/// Releases the object of the userdata at `idx` now (exactly once, like __gc) and clears its
/// `nuv` user values; the userdata stays, empty. Stack: [-0, +0, -]
void folio_closeobject(lua_State *L, int idx, int nuv);
/// 1 when the userdata at `idx` is of `typekey` but closed.
int folio_isclosedobject(lua_State *L, int idx, const void *typekey);
/// Creates the metatable for `typekey` (once): `__gc` releases, `__metatable` = `name`,
/// `__name` = `name`, `__index` looks in the table below it (methods) then calls `getter`
/// (a function below it, or nil). Stack: [-2, +0, m] (pops methods and getter).
void folio_newmetatable(lua_State *L, const void *typekey, const char *name);

/// Checks the deadline and Ctrl-C (and the instruction budget) for a long loop in a host
/// function: returns 1 once a limit has tripped, and the trampoline then raises its error when
/// the host function returns. Never raises.
int folio_poll(lua_State *L);

/// Guards standard functions that could escape the limits (guards.c): table.move and
/// table.concat work in charged chunks; coroutine.resume and coroutine.close check the C stack
/// (liblua 5.4.4 overflows it on deeply nested closes); with `sandbox`, setmetatable refuses a
/// metatable with `__gc`. Call while opening the libraries, under a protected call.
void folio_guard_library(lua_State *L, int sandbox);
/// The function coroutine.wrap returns (upvalue 1: the coroutine), with the C stack checked.
int folio_guard_auxwrap(lua_State *L);

/// Adds `delta` bytes (negative: gives them back) to what the host holds for the VM of `s`,
/// in all (`document` 0) or for its open document (`document` 1). Never refuses: a host
/// function that passed the limit is refused by the trampoline with LUA_ERRMEM once it returns.
void folio_host_bytes(FolioVMState *s, ptrdiff_t delta, int document);
/// Gives back every byte held for the open document (its call ended).
void folio_host_release_document(FolioVMState *s);
/// 1 when `bytes` more fit under the VM's memory limit (Lua's and the host's), else 0.
int folio_host_room(lua_State *L, size_t bytes);

/// Sets the limits for subsequent calls. 0 disables a limit.
void folio_setlimits(lua_State *L, size_t memory, uint64_t instructions, uint64_t timeout_ns);

/// Asks every VM in this process to stop (async-signal-safe): the watchdog signals each
/// running call, which stops at its next instruction in Lua.
void folio_interrupt(void);
/// Clears a pending interrupt.
void folio_clear_interrupt(void);
/// Installs a SIGINT and SIGTERM handler that calls folio_interrupt on the first signal and
/// restores the default action for the second.
void folio_install_sigint(void);
/// 1 when an interrupt is pending.
int folio_interrupted(void);

// Lua's macros, as functions Swift can call.
static inline int folio_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline void folio_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline void folio_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void folio_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void folio_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline const char *folio_tolstring(lua_State *L, int i, size_t *len) {
  // Only for values whose type is LUA_TSTRING: never converts numbers in place.
  return lua_type(L, i) == LUA_TSTRING ? lua_tolstring(L, i, len) : NULL;
}

#endif
