// Limits: the count hook, the watchdog thread that enforces deadlines and Ctrl-C, host bytes.
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

volatile sig_atomic_t folio_interrupted_flag = 0;

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
void folio_rest_hook(lua_State *L) {
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
    int interrupted = folio_interrupted_flag != 0;
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

void folio_watch_register(FolioVMState *s) {
  pthread_once(&g_watch_once, folio_watch_start_once);
  pthread_mutex_init(&s->watch_lock, NULL);
  pthread_mutex_lock(&g_watch_lock);
  s->watch_next = g_watch_list;
  g_watch_list = s;
  s->watch_registered = 1;
  pthread_mutex_unlock(&g_watch_lock);
}

void folio_watch_unregister(FolioVMState *s) {
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
void folio_watch_begin(lua_State *L, FolioVMState *s, uint64_t deadline_ns) {
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
void folio_watch_end(FolioVMState *s) {
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
  if (folio_interrupted_flag) {
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
void folio_push_trip(lua_State *L, lua_Debug *ar) {
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

void folio_hook(lua_State *L, lua_Debug *ar) {
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
  if (g_watch_started && !s->watch_hit && !folio_interrupted_flag && s->instr_limit == 0) return 0;
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
  if (folio_interrupted_flag) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  folio_interrupted_flag = 1;
  folio_watch_wake();
}

void folio_interrupt(void) {
  folio_interrupted_flag = 1;
  folio_watch_wake();
}
void folio_clear_interrupt(void) { folio_interrupted_flag = 0; }
int folio_interrupted(void) { return folio_interrupted_flag != 0; }

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
