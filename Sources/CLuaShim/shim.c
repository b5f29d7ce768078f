// CLuaShim: see include/CLuaShim.h for the contract of each function.
#define _POSIX_C_SOURCE 200809L
#include "CLuaShim.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static folio_dispatch_fn g_dispatch = NULL;
static folio_release_fn g_release = NULL;
static volatile sig_atomic_t g_interrupted = 0;

enum { FOLIO_HOOK_EVERY = 1000, FOLIO_MAX_MESSAGE = 4096 };

void folio_install_host(folio_dispatch_fn dispatch, folio_release_fn release) {
  g_dispatch = dispatch;
  g_release = release;
}

static uint64_t folio_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

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
  if (s->used > s->peak) s->peak = s->used;
  return p;
}

static void folio_watch_register(FolioVMState *s);
static void folio_watch_unregister(FolioVMState *s);

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

// ---------------------------------------------------------------------------------------------
// Limits hook and watchdog
//
// Any count hook makes Lua 5.4 trace every instruction (luaG_traceexec), which costs Lua-heavy
// plugins about 15%. So the main thread carries the count hook only under an instruction budget;
// the deadline and Ctrl-C come from a watchdog thread that signals the OS thread of a call that
// passed its deadline (or of every call on Ctrl-C), and the handler installs the hook, which
// raises at the next instruction: the way lua.c stops a script on Ctrl-C. The watchdog repeats
// its signal every tick while the call goes on, so a signal that lands while the thread itself
// resets its hook is not lost. Coroutines always carry the hook (checked every 1,000
// instructions): the signal reaches only the threads the handler can name.

static void folio_hook(lua_State *L, lua_Debug *ar);

/// The VM whose outermost call runs on this OS thread (its thread in the call), innermost first
/// through `watch_outer`; read by the signal handler.
static __thread lua_State *t_running __attribute__((tls_model("initial-exec")));
/// Whether this OS thread has unblocked the watchdog's signal.
static __thread int t_unblocked __attribute__((tls_model("initial-exec")));

static pthread_mutex_t g_watch_lock = PTHREAD_MUTEX_INITIALIZER;  // guards g_watch_list
static FolioVMState *g_watch_list = NULL;
static sem_t g_watch_wake;
static pthread_once_t g_watch_once = PTHREAD_ONCE_INIT;
static volatile sig_atomic_t g_watch_started = 0;
static atomic_int g_watch_idle;  ///< 1 while the watchdog may wait without a timeout

#define FOLIO_WATCH_SIGNAL SIGURG
enum { FOLIO_WATCH_TICK_NS = 10 * 1000 * 1000 };

/// The hook a thread carries between trips: coroutines always, the main thread only under an
/// instruction budget (or always, should the watchdog have failed to start).
static void folio_rest_hook(lua_State *L) {
  FolioVMState *s = folio_state(L);
  if (L != s->main || s->instr_limit != 0 || !g_watch_started) {
    lua_sethook(L, folio_hook, LUA_MASKCOUNT, s->hook_every);
  } else {
    lua_sethook(L, NULL, 0, 0);
  }
}

static void folio_watch_signal(int sig) {
  (void)sig;
  int saved = errno;
  for (lua_State *L = t_running; L != NULL; L = folio_state(L)->watch_outer) {
    folio_state(L)->watch_hit = 1;  // for folio_poll: one load, no clock
    lua_sethook(L, folio_hook, LUA_MASKCOUNT, 1);
  }
  errno = saved;
}

static void folio_watch_wake(void) {
  if (g_watch_started && atomic_exchange(&g_watch_idle, 0)) sem_post(&g_watch_wake);
}

static void *folio_watch_main(void *arg) {
  (void)arg;
  for (;;) {
    // Idle first, so that a call starting during the scan wakes the next wait.
    atomic_store(&g_watch_idle, 1);
    uint64_t now = folio_now_ns();
    int interrupted = g_interrupted != 0;
    int watching = 0;
    pthread_mutex_lock(&g_watch_lock);
    for (FolioVMState *s = g_watch_list; s != NULL; s = s->watch_next) {
      pthread_mutex_lock(&s->watch_lock);
      if (s->watch_active) {
        if (interrupted || (s->deadline_ns != 0 && now >= s->deadline_ns)) {
          pthread_kill(s->watch_thread, FOLIO_WATCH_SIGNAL);
        }
        if (interrupted || s->deadline_ns != 0) watching = 1;
      }
      pthread_mutex_unlock(&s->watch_lock);
    }
    pthread_mutex_unlock(&g_watch_lock);
    if (watching) {
      atomic_store(&g_watch_idle, 0);
      struct timespec tick = {0, FOLIO_WATCH_TICK_NS};
      nanosleep(&tick, NULL);
    } else {
      while (sem_wait(&g_watch_wake) != 0 && errno == EINTR) {
      }
    }
  }
  return NULL;
}

static void folio_watch_start_once(void) {
  if (sem_init(&g_watch_wake, 0, 0) != 0) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = folio_watch_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(FOLIO_WATCH_SIGNAL, &sa, NULL);
  // The watchdog thread takes no signal of its own; its mask is inherited from here.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  if (pthread_create(&thread, &attr, folio_watch_main, NULL) == 0) g_watch_started = 1;
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void folio_watch_register(FolioVMState *s) {
  pthread_once(&g_watch_once, folio_watch_start_once);
  pthread_mutex_init(&s->watch_lock, NULL);
  pthread_mutex_lock(&g_watch_lock);
  s->watch_next = g_watch_list;
  g_watch_list = s;
  s->watch_registered = 1;
  pthread_mutex_unlock(&g_watch_lock);
}

static void folio_watch_unregister(FolioVMState *s) {
  if (!s->watch_registered) return;
  pthread_mutex_lock(&g_watch_lock);
  for (FolioVMState **p = &g_watch_list; *p != NULL; p = &(*p)->watch_next) {
    if (*p == s) {
      *p = s->watch_next;
      break;
    }
  }
  s->watch_registered = 0;
  pthread_mutex_unlock(&g_watch_lock);
  pthread_mutex_destroy(&s->watch_lock);
}

/// Starts an outermost call of `L` on this OS thread, with `deadline_ns` (0: none).
static void folio_watch_begin(lua_State *L, FolioVMState *s, uint64_t deadline_ns) {
  if (!t_unblocked) {
    // Thread pools (libdispatch's among them) block signals in their threads: this one must
    // take the watchdog's.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, FOLIO_WATCH_SIGNAL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    t_unblocked = 1;
  }
  s->watch_outer = t_running;
  pthread_mutex_lock(&s->watch_lock);
  s->deadline_ns = deadline_ns;
  s->watch_thread = pthread_self();
  s->watch_active = 1;
  pthread_mutex_unlock(&s->watch_lock);
  if (deadline_ns != 0) folio_watch_wake();
  atomic_signal_fence(memory_order_seq_cst);
  t_running = L;
  atomic_signal_fence(memory_order_seq_cst);
}

/// Ends the outermost call begun by folio_watch_begin: no signal is sent for it after this.
static void folio_watch_end(FolioVMState *s) {
  atomic_signal_fence(memory_order_seq_cst);
  t_running = s->watch_outer;
  atomic_signal_fence(memory_order_seq_cst);
  s->watch_outer = NULL;
  pthread_mutex_lock(&s->watch_lock);
  s->watch_active = 0;
  s->deadline_ns = 0;
  pthread_mutex_unlock(&s->watch_lock);
}

/// Counts `steps` against the instruction budget and checks the deadline and Ctrl-C; returns
/// whether a limit has tripped (sticky until the outermost call returns).
static int folio_limits_tripped(lua_State *L, uint64_t steps) {
  FolioVMState *s = folio_state(L);
  if (s->tripped != FOLIO_TRIP_NONE) return 1;
  s->instr_used += steps;
  if (g_interrupted) {
    s->tripped = FOLIO_TRIP_INTERRUPT;
  } else if (s->instr_limit != 0 && s->instr_used > s->instr_limit) {
    s->tripped = FOLIO_TRIP_INSTRUCTIONS;
  } else if (s->deadline_ns != 0 && folio_now_ns() > s->deadline_ns) {
    s->tripped = FOLIO_TRIP_DEADLINE;
  } else {
    return 0;
  }
  return 1;
}

/// Pushes the message of the limit that tripped, with the position of `ar` when known.
static void folio_push_trip(lua_State *L, lua_Debug *ar) {
  FolioVMState *s = folio_state(L);
  const char *what = "interrupted";
  char detail[64] = "";
  if (s->tripped == FOLIO_TRIP_INSTRUCTIONS) {
    what = "instruction limit exceeded";
    snprintf(detail, sizeof detail, " (%llu instructions)", (unsigned long long)s->instr_limit);
  } else if (s->tripped == FOLIO_TRIP_DEADLINE) {
    what = "time limit exceeded";
    snprintf(detail, sizeof detail, " (%.3g s)", (double)s->timeout_ns / 1e9);
  }
  if (ar != NULL && lua_getinfo(L, "Sl", ar) && ar->currentline > 0) {
    lua_pushfstring(L, "%s:%d: %s%s", ar->short_src, ar->currentline, what, detail);
  } else {
    lua_pushfstring(L, "%s%s", what, detail);
  }
}

static void folio_hook(lua_State *L, lua_Debug *ar) {
  FolioVMState *s = folio_state(L);
  int every = lua_gethookcount(L);
  if (!folio_limits_tripped(L, (uint64_t)every)) {
    // The budget's regular check, or a signal for a call that has ended: back to the hook
    // this thread carries between trips.
    folio_rest_hook(L);
    return;
  }
  // Tripped: raise at every instruction from now on, in this thread, so no handler written in
  // Lua can keep running (Redis does the same for its script timeout).
  lua_sethook(L, folio_hook, LUA_MASKCOUNT, 1);
  folio_push_trip(L, ar);
  lua_error(L);
}

void folio_charge(lua_State *L, uint64_t steps) {
  if (!folio_limits_tripped(L, steps)) return;
  lua_sethook(L, folio_hook, LUA_MASKCOUNT, 1);
  // Level 1: the Lua function that called the C function (string.find and friends).
  luaL_where(L, 1);
  folio_push_trip(L, NULL);
  lua_concat(L, 2);
  lua_error(L);
}

int folio_poll(lua_State *L) {
  FolioVMState *s = folio_state(L);
  if (s->tripped != FOLIO_TRIP_NONE) return 1;
  // The watchdog signals a call past its deadline or on Ctrl-C within a tick (10 ms): until it
  // has, nothing tripped, and a loop that asks per regex attempt pays one load, not a clock read.
  if (g_watch_started && !s->watch_hit && !g_interrupted && s->instr_limit == 0) return 0;
  return folio_limits_tripped(L, 0);
}

void folio_host_bytes(FolioVMState *s, ptrdiff_t delta, int document) {
  if (delta < 0 && (size_t)(-delta) > s->host_bytes) delta = -(ptrdiff_t)s->host_bytes;
  s->host_bytes += delta;
  if (document) {
    if (delta < 0 && (size_t)(-delta) > s->doc_bytes) delta = -(ptrdiff_t)s->doc_bytes;
    s->doc_bytes += delta;
  }
}

void folio_host_release_document(FolioVMState *s) {
  s->host_bytes -= s->doc_bytes < s->host_bytes ? s->doc_bytes : s->host_bytes;
  s->doc_bytes = 0;
}

int folio_host_room(lua_State *L, size_t bytes) {
  FolioVMState *s = folio_state(L);
  return s->limit == 0 || s->used + s->host_bytes + bytes <= s->limit;
}

void folio_setlimits(lua_State *L, size_t memory, uint64_t instructions, uint64_t timeout_ns) {
  FolioVMState *s = folio_state(L);
  s->limit = memory;
  s->instr_limit = instructions;
  s->timeout_ns = timeout_ns;
  folio_rest_hook(s->main);
}

static void folio_sigint(int sig) {
  if (g_interrupted) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  g_interrupted = 1;
  folio_watch_wake();
}

void folio_interrupt(void) {
  g_interrupted = 1;
  folio_watch_wake();
}
void folio_clear_interrupt(void) { g_interrupted = 0; }
int folio_interrupted(void) { return g_interrupted != 0; }

void folio_install_sigint(void) {
  pthread_once(&g_watch_once, folio_watch_start_once);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = folio_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  // SIGTERM (kill, a scheduler's time-out) stops a run as Ctrl-C does: outputs cancelled,
  // temporary files removed; a second one ends the process at once.
  sigaction(SIGTERM, &sa, NULL);
  // A parent may have blocked SIGINT (the mask survives exec): unblock it, before any worker
  // thread is created so that they inherit the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
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
  int n = g_dispatch(L, function);
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

// ---------------------------------------------------------------------------------------------
// Host objects

static int folio_object_gc(lua_State *L) {
  void **box = (void **)lua_touserdata(L, 1);
  if (box != NULL && *box != NULL) {
    void *object = *box;
    *box = NULL;  // released exactly once, even if __gc were called again
    FolioVMState *s = folio_state(L);
    s->live_objects--;
    s->host_depth++;  // Swift runs the release: no allocation may be refused meanwhile
    g_release(object);
    s->host_depth--;
  }
  return 0;
}

// __index: the methods table (upvalue 1) first, then the property getter (upvalue 2).
static int folio_object_index(lua_State *L) {
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  if (lua_isnil(L, lua_upvalueindex(2))) return 1;
  void **box = (void **)lua_touserdata(L, 1);
  if (box != NULL && *box == NULL) {
    // Raised here, so that the message blames the Lua line that indexed the object.
    const char *name = luaL_getmetafield(L, 1, "__name") == LUA_TSTRING ? lua_tostring(L, -1) : "object";
    return luaL_error(L, "this %s is closed: it was valid only during the call that received it", name);
  }
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);
  return 1;
}

void **folio_newobject(lua_State *L, void *object, const void *typekey, int nuv) {
  void **box = (void **)lua_newuserdatauv(L, sizeof(void *), nuv);
  *box = object;
  folio_state(L)->live_objects++;
  lua_rawgetp(L, LUA_REGISTRYINDEX, typekey);
  lua_setmetatable(L, -2);
  return box;
}

void *folio_toobject(lua_State *L, int idx, const void *typekey) {
  void **box = (void **)lua_touserdata(L, idx);
  if (box == NULL || lua_type(L, idx) != LUA_TUSERDATA) return NULL;
  if (!lua_getmetatable(L, idx)) return NULL;
  lua_rawgetp(L, LUA_REGISTRYINDEX, typekey);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same ? *box : NULL;
}

void folio_closeobject(lua_State *L, int idx, int nuv) {
  idx = lua_absindex(L, idx);
  void **box = (void **)lua_touserdata(L, idx);
  if (box == NULL || lua_type(L, idx) != LUA_TUSERDATA) return;
  if (*box != NULL) {
    void *object = *box;
    *box = NULL;
    FolioVMState *s = folio_state(L);
    s->live_objects--;
    s->host_depth++;
    g_release(object);
    s->host_depth--;
  }
  for (int i = 1; i <= nuv; i++) {
    lua_pushnil(L);
    lua_setiuservalue(L, idx, i);
  }
}

int folio_isclosedobject(lua_State *L, int idx, const void *typekey) {
  void **box = (void **)lua_touserdata(L, idx);
  if (box == NULL || lua_type(L, idx) != LUA_TUSERDATA || *box != NULL) return 0;
  if (!lua_getmetatable(L, idx)) return 0;
  lua_rawgetp(L, LUA_REGISTRYINDEX, typekey);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same;
}

void folio_newmetatable(lua_State *L, const void *typekey, const char *name) {
  // Stack on entry: methods, getter.
  lua_createtable(L, 0, 8);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__metatable");
  lua_pushcfunction(L, folio_object_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushvalue(L, -3);  // methods
  lua_pushvalue(L, -3);  // getter
  lua_pushcclosure(L, folio_object_index, 2);
  lua_setfield(L, -2, "__index");
  lua_rawsetp(L, LUA_REGISTRYINDEX, typekey);
  lua_pop(L, 2);
}

// ---------------------------------------------------------------------------------------------
// Libraries

// xpcall's message handler runs before the stack unwinds, and when the error came from the
// limits hook Lua runs it with hooks disabled: a handler such as `function() while true do
// end end` would then never be stopped (stock Lua 5.4 hangs too). The guarded handler skips the
// user's handler once a limit has tripped, so the limit error goes on unchanged.
static int folio_guarded_handler(lua_State *L) {
  FolioVMState *s = folio_state(L);
  if (s->tripped != FOLIO_TRIP_NONE || g_interrupted) return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int folio_xpcall(lua_State *L) {
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, folio_guarded_handler, 1);
  lua_replace(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));  // the library's xpcall
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static void folio_guard_xpcall(lua_State *L) {
  lua_getglobal(L, "xpcall");
  lua_pushcclosure(L, folio_xpcall, 1);
  lua_setglobal(L, "xpcall");
}

// Coroutines carry the limits hook from birth (the watchdog's signal names only main threads);
// one made after a trip inherits the tripped hook instead.
static void folio_hook_coroutine(lua_State *co) {
  if (lua_gethook(co) == NULL) folio_rest_hook(co);
}

static int folio_cocreate(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State *co = lua_newthread(L);
  folio_hook_coroutine(co);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  return 1;
}

// coroutine.wrap: a hooked coroutine behind Folio's resume (guards.c).
static int folio_cowrap(lua_State *L) {
  folio_cocreate(L);
  lua_pushcclosure(L, folio_guard_auxwrap, 1);
  return 1;
}

static void folio_guard_coroutines(lua_State *L) {
  if (lua_getglobal(L, LUA_COLIBNAME) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_pushcfunction(L, folio_cocreate);
  lua_setfield(L, -2, "create");
  lua_pushcfunction(L, folio_cowrap);
  lua_setfield(L, -2, "wrap");
  lua_pop(L, 1);
}

static int folio_open_full_k(lua_State *L) {
  luaL_openlibs(L);
  folio_guard_coroutines(L);
  folio_guard_xpcall(L);
  folio_guard_patterns(L);
  folio_guard_library(L, 0);
  return 0;
}

int folio_open_full(lua_State *L) {
  lua_pushcfunction(L, folio_open_full_k);
  return folio_pcall(L, 0, 0);
}

// load(chunk [, chunkname [, mode [, env]]]) with mode forced to "t".
static int folio_sandbox_load(lua_State *L) {
  int n = lua_gettop(L);
  lua_settop(L, n >= 4 ? 4 : 3);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static int folio_sandbox_collectgarbage(lua_State *L) {
  const char *opt = luaL_optstring(L, 1, "count");
  if (strcmp(opt, "count") != 0) {
    return luaL_error(L, "collectgarbage('%s') is not allowed in plugins (only 'count')", opt);
  }
  int kb = lua_gc(L, LUA_GCCOUNT, 0);
  int b = lua_gc(L, LUA_GCCOUNTB, 0);
  lua_pushnumber(L, (lua_Number)kb + ((lua_Number)b / 1024));
  return 1;
}

// print(...) for plugins: writes to stderr, so data on stdout stays clean.
static int folio_sandbox_print(lua_State *L) {
  int n = lua_gettop(L);
  for (int i = 1; i <= n; i++) {
    size_t len;
    const char *s = luaL_tolstring(L, i, &len);
    if (i > 1) fputc('\t', stderr);
    fwrite(s, 1, len, stderr);
    lua_pop(L, 1);
  }
  fputc('\n', stderr);
  fflush(stderr);
  return 0;
}

static int folio_open_sandbox_k(lua_State *L) {
  static const luaL_Reg libs[] = {
      {LUA_GNAME, luaopen_base},       {LUA_TABLIBNAME, luaopen_table},
      {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8},  {LUA_COLIBNAME, luaopen_coroutine},
      {LUA_OSLIBNAME, luaopen_os},      {NULL, NULL}};
  for (const luaL_Reg *lib = libs; lib->func; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  lua_pushglobaltable(L);
  int g = lua_gettop(L);
  static const char *const removed[] = {"dofile", "loadfile", NULL};
  for (const char *const *name = removed; *name; name++) {
    lua_pushnil(L);
    lua_setfield(L, g, *name);
  }
  lua_getfield(L, g, "load");
  lua_pushcclosure(L, folio_sandbox_load, 1);
  lua_setfield(L, g, "load");
  lua_pushcfunction(L, folio_sandbox_collectgarbage);
  lua_setfield(L, g, "collectgarbage");
  lua_pushcfunction(L, folio_sandbox_print);
  lua_setfield(L, g, "print");
  folio_guard_coroutines(L);
  folio_guard_xpcall(L);
  folio_guard_patterns(L);
  folio_guard_library(L, 1);
  // string.dump: binary chunks cannot be loaded anyway, and dumps leak bytecode details.
  lua_getfield(L, g, "string");
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  // os: only the clock and calendar functions.
  lua_getfield(L, g, "os");
  int os = lua_gettop(L);
  lua_createtable(L, 0, 4);
  static const char *const kept[] = {"clock", "time", "date", "difftime", NULL};
  for (const char *const *name = kept; *name; name++) {
    lua_getfield(L, os, *name);
    lua_setfield(L, -2, *name);
  }
  lua_setfield(L, g, "os");
  lua_pop(L, 1);
  // The string metatable is shared by every string: hide it.
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return 0;
}

int folio_open_sandbox(lua_State *L) {
  lua_pushcfunction(L, folio_open_sandbox_k);
  return folio_pcall(L, 0, 0);
}

// ---------------------------------------------------------------------------------------------
// Plain-data copies between VMs (report states across workers and shards)
//
// Format: 'n' nil, 'f'/'t' booleans, 'i' int64, 'd' double, 's' u64 length + bytes,
// '{' u32 array-size hint, u32 hash-size hint, then key/value pairs, then '}'.

enum { FOLIO_MAX_DEPTH = 200 };

typedef struct SerialState {
  FolioBlob *blob;
  int depth;
  // The keys leading to the value being written, for error messages.
  int path[FOLIO_MAX_DEPTH + 1];
} SerialState;

static void blob_put(lua_State *L, FolioBlob *b, const void *p, size_t n) {
  if (b->length + n > b->capacity) {
    size_t cap = b->capacity ? b->capacity : 4096;
    while (cap < b->length + n) cap *= 2;
    unsigned char *d = (unsigned char *)realloc(b->data, cap);
    if (d == NULL) luaL_error(L, "not enough memory to copy the state");
    b->data = d;
    b->capacity = cap;
  }
  memcpy(b->data + b->length, p, n);
  b->length += n;
}

static void blob_byte(lua_State *L, FolioBlob *b, unsigned char c) { blob_put(L, b, &c, 1); }

// Pushes "state[k1][k2]..." for the current path (keys are on the stack at path[i]).
static void serial_where(lua_State *L, SerialState *st) {
  luaL_Buffer buf;
  luaL_buffinit(L, &buf);
  for (int i = 1; i <= st->depth; i++) {
    int k = st->path[i];
    if (lua_type(L, k) == LUA_TSTRING) {
      size_t len;
      const char *s = lua_tolstring(L, k, &len);
      luaL_addstring(&buf, "[\"");
      luaL_addlstring(&buf, s, len > 40 ? 40 : len);
      luaL_addstring(&buf, "\"]");
    } else if (lua_type(L, k) == LUA_TNUMBER) {
      if (lua_isinteger(L, k)) {
        lua_pushfstring(L, "[%I]", (LUAI_UACINT)lua_tointeger(L, k));
      } else {
        lua_pushfstring(L, "[%f]", (LUAI_UACNUMBER)lua_tonumber(L, k));
      }
      luaL_addvalue(&buf);
    } else {
      luaL_addstring(&buf, "[?]");
    }
  }
  luaL_pushresult(&buf);
}

static void serial_value(lua_State *L, SerialState *st, int idx) {
  FolioBlob *b = st->blob;
  idx = lua_absindex(L, idx);  // messages push values: relative indices would move
  switch (lua_type(L, idx)) {
    case LUA_TNIL: blob_byte(L, b, 'n'); break;
    case LUA_TBOOLEAN: blob_byte(L, b, lua_toboolean(L, idx) ? 't' : 'f'); break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        lua_Integer i = lua_tointeger(L, idx);
        blob_byte(L, b, 'i');
        blob_put(L, b, &i, sizeof i);
      } else {
        lua_Number d = lua_tonumber(L, idx);
        blob_byte(L, b, 'd');
        blob_put(L, b, &d, sizeof d);
      }
      break;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      uint64_t n = len;
      blob_byte(L, b, 's');
      blob_put(L, b, &n, sizeof n);
      blob_put(L, b, s, len);
      break;
    }
    case LUA_TTABLE: {
      if (st->depth >= FOLIO_MAX_DEPTH) {
        serial_where(L, st);
        luaL_error(L, "%s: tables nested more than %d deep (a table that contains itself?)",
                   lua_tostring(L, -1), FOLIO_MAX_DEPTH);
      }
      luaL_checkstack(L, 4, "state nested too deep");
      uint32_t narr = (uint32_t)lua_rawlen(L, idx), nhash = 0;
      blob_byte(L, b, '{');
      size_t header = b->length;
      blob_put(L, b, &narr, sizeof narr);
      blob_put(L, b, &nhash, sizeof nhash);
      uint32_t total = 0;
      st->depth++;
      lua_pushnil(L);
      while (lua_next(L, idx)) {
        st->path[st->depth] = lua_gettop(L) - 1;
        serial_value(L, st, -2);
        serial_value(L, st, -1);
        lua_pop(L, 1);
        total++;
      }
      st->depth--;
      blob_byte(L, b, '}');
      nhash = total > narr ? total - narr : 0;
      memcpy(b->data + header + sizeof narr, &nhash, sizeof nhash);
      break;
    }
    case LUA_TLIGHTUSERDATA:
    case LUA_TUSERDATA:
      // A host object may say how it travels: __folio_plain returns plain data (a counter
      // returns its bytes as one string; a token its fields), which the receiving side knows
      // how to merge.
      if (lua_getmetatable(L, idx)) {
        lua_pushliteral(L, "__folio_plain");
        if (lua_rawget(L, -2) == LUA_TFUNCTION) {
          lua_pushvalue(L, idx);
          lua_call(L, 1, 1);
          int plain = lua_gettop(L);
          if (lua_type(L, plain) == LUA_TUSERDATA) luaL_error(L, "__folio_plain returned a userdata");
          serial_value(L, st, plain);
          lua_pop(L, 2);  // the metatable and the plain value
          break;
        }
        lua_pop(L, 2);
      }
      /* fall through */
    default:
      serial_where(L, st);
      luaL_error(L, "%s: a %s (states must be plain data: tables, strings, numbers, booleans)",
                 lua_tostring(L, -1), luaL_typename(L, idx));
  }
}

static int folio_serialize_k(lua_State *L) {
  SerialState *st = (SerialState *)lua_touserdata(L, 2);
  st->depth = 0;
  serial_value(L, st, 1);
  return 0;
}

int folio_serialize(lua_State *L, int idx, FolioBlob *blob) {
  idx = lua_absindex(L, idx);
  SerialState *st = (SerialState *)malloc(sizeof(SerialState));
  if (st == NULL) {
    lua_pushliteral(L, "not enough memory to copy the state");
    return LUA_ERRMEM;
  }
  st->blob = blob;
  lua_pushcfunction(L, folio_serialize_k);
  lua_pushvalue(L, idx);
  lua_pushlightuserdata(L, st);
  int status = lua_pcall(L, 2, 0, 0);
  free(st);
  return status;
}

typedef struct ReadState {
  const unsigned char *p, *end;
  int depth;
} ReadState;

static void read_bytes(lua_State *L, ReadState *r, void *out, size_t n) {
  if ((size_t)(r->end - r->p) < n) luaL_error(L, "a copied state is truncated");
  memcpy(out, r->p, n);
  r->p += n;
}

static void read_value(lua_State *L, ReadState *r) {
  unsigned char tag;
  read_bytes(L, r, &tag, 1);
  switch (tag) {
    case 'n': lua_pushnil(L); break;
    case 'f': lua_pushboolean(L, 0); break;
    case 't': lua_pushboolean(L, 1); break;
    case 'i': {
      lua_Integer i;
      read_bytes(L, r, &i, sizeof i);
      lua_pushinteger(L, i);
      break;
    }
    case 'd': {
      lua_Number d;
      read_bytes(L, r, &d, sizeof d);
      lua_pushnumber(L, d);
      break;
    }
    case 's': {
      uint64_t n;
      read_bytes(L, r, &n, sizeof n);
      if ((uint64_t)(r->end - r->p) < n) luaL_error(L, "a copied state is truncated");
      lua_pushlstring(L, (const char *)r->p, (size_t)n);
      r->p += n;
      break;
    }
    case '{': {
      uint32_t narr, nhash;
      read_bytes(L, r, &narr, sizeof narr);
      read_bytes(L, r, &nhash, sizeof nhash);
      if (++r->depth > FOLIO_MAX_DEPTH) luaL_error(L, "a copied state is nested too deep");
      luaL_checkstack(L, 4, "copied state nested too deep");
      // The hints come from a file: each entry takes at least two bytes of what is left, so a
      // hint past that is a lie, and a crafted state cannot make a huge table from a few bytes.
      size_t most = (size_t)(r->end - r->p) / 2;
      lua_createtable(L, (int)(narr > most ? 0 : narr), (int)(nhash > most ? 0 : nhash));
      for (;;) {
        if (r->p >= r->end) luaL_error(L, "a copied state is truncated");
        if (*r->p == '}') {
          r->p++;
          break;
        }
        read_value(L, r);
        read_value(L, r);
        if (lua_isnil(L, -2)) luaL_error(L, "a copied state has a nil key");
        lua_rawset(L, -3);
      }
      r->depth--;
      break;
    }
    default: luaL_error(L, "a copied state is corrupt (tag %d)", (int)tag);
  }
}

static int folio_deserialize_k(lua_State *L) {
  ReadState *r = (ReadState *)lua_touserdata(L, 1);
  read_value(L, r);
  return 1;
}

int folio_deserialize(lua_State *L, const unsigned char *data, size_t length) {
  ReadState r = {data, data + length, 0};
  lua_pushcfunction(L, folio_deserialize_k);
  lua_pushlightuserdata(L, &r);
  return lua_pcall(L, 1, 1, 0);
}
