/* counters.c - the metrics shared by every gwauth process on the host. */
#include "counters.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define GW_SHM_MAGIC 0x6777617574686d31ULL /* "gwauthm1" */
#define GW_SHM_VERSION 1u

/* The file's layout. A file of another layout (another version of
 * gwauth) is started again, in place. */
typedef struct {
    uint64_t magic;
    uint32_t version;
    uint32_t size;
    int64_t since;
    _Atomic uint64_t c[GW_METRICS_COUNTERS];
    _Atomic uint64_t db_bucket[GW_DB_BUCKETS];
    _Atomic uint64_t db_sum_us;
    struct {
        _Atomic int pid;   /* 0: free */
        int prog;
        int64_t started;
    } procs[GW_METRICS_PROCS];
} gw_shm;

static gw_shm *gw_m;
static bool gw_m_shared;
static int gw_m_slot = -1;

static gw_shm *gw_shm_private(void)
{
    void *p = mmap(NULL, sizeof(gw_shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    gw_shm *s = p;
    s->magic = GW_SHM_MAGIC;
    s->version = GW_SHM_VERSION;
    s->size = (uint32_t)sizeof(gw_shm);
    s->since = (int64_t)time(NULL);
    return s;
}

/* Maps path, making or starting it again under an exclusive lock. */
static gw_shm *gw_shm_file(const char *path, bool create, const char **why)
{
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
    if (fd < 0) {
        *why = "cannot open";
        return NULL;
    }
    gw_shm *s = NULL;
    struct stat st;
    if (flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0) {
        *why = "cannot lock";
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        *why = "not a regular file";
        goto out;
    }
    /* a process that could shorten it would crash every gwauth process
     * (SIGBUS): a server uses only a file of its own user, which no other
     * user may write (gwauth-admin, which only opens it, one it can) */
    if ((create && st.st_uid != geteuid()) || (st.st_mode & S_IWOTH)) {
        errno = EPERM;
        *why = "owned by another user, or writable by every user";
        goto out;
    }
    /* never shrunk: a process that maps more of it (another version of
     * gwauth, still running) would get SIGBUS past the end */
    bool fresh = (size_t)st.st_size < sizeof(gw_shm);
    if (fresh && !create) {
        errno = EINVAL;
        *why = "not yet made by a gwauth program";
        goto out;
    }
    /* the blocks are taken now: a full tmpfs fails here, not as SIGBUS */
    if (fresh && (errno = posix_fallocate(fd, 0, (off_t)sizeof(gw_shm))) != 0) {
        *why = "cannot size";
        goto out;
    }
    void *p = mmap(NULL, sizeof(gw_shm), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        *why = "cannot map";
        goto out;
    }
    s = p;
    bool other = s->magic != GW_SHM_MAGIC || s->version != GW_SHM_VERSION || s->size != sizeof(gw_shm);
    if (other && !fresh && !create) { /* another version's: not ours to start again */
        munmap(p, sizeof(gw_shm));
        s = NULL;
        errno = EINVAL;
        *why = "of another version of gwauth";
        goto out;
    }
    if (fresh || other) {
        memset(s, 0, sizeof(*s));
        s->since = (int64_t)time(NULL);
        s->size = (uint32_t)sizeof(gw_shm);
        s->version = GW_SHM_VERSION;
        atomic_thread_fence(memory_order_seq_cst);
        s->magic = GW_SHM_MAGIC;
    }
out:;
    int e = errno;
    /* unlocked by hand: the mapping keeps the open file, and its lock */
    flock(fd, LOCK_UN);
    close(fd);
    errno = e;
    return s;
}

int gw_counters_open(const char *path, bool create, const char **why)
{
    if (gw_m)
        return 0;
    *why = NULL;
    if (path && *path && (gw_m = gw_shm_file(path, create, why)) != NULL) {
        gw_m_shared = true;
        return 0;
    }
    int e = errno;
    gw_m = gw_shm_private();
    errno = e;
    return path && *path ? -1 : 0;
}

/* Whether the process listed in a slot is gone (a crash never left; a
 * negative pid is a slot being filled, or one whose filler died). */
static bool gw_proc_gone(int pid)
{
    return pid != 0 && kill(pid > 0 ? pid : -pid, 0) != 0 && errno == ESRCH;
}

void gw_counters_join(gw_prog prog)
{
    if (!gw_m)
        return;
    int me = (int)getpid();
    for (int pass = 0; pass < 2 && gw_m_slot < 0; pass++)
        for (int i = 0; i < GW_METRICS_PROCS; i++) {
            int cur = atomic_load(&gw_m->procs[i].pid);
            /* first pass: free slots; second: slots of processes gone */
            if (cur != 0 && (pass == 0 || !gw_proc_gone(cur)))
                continue;
            if (atomic_compare_exchange_strong(&gw_m->procs[i].pid, &cur, -me)) {
                gw_m->procs[i].prog = (int)prog;
                gw_m->procs[i].started = (int64_t)time(NULL);
                atomic_store(&gw_m->procs[i].pid, me); /* complete: visible */
                gw_m_slot = i;
                break;
            }
        }
}

void gw_counters_leave(void)
{
    if (gw_m && gw_m_slot >= 0) {
        int me = (int)getpid();
        atomic_compare_exchange_strong(&gw_m->procs[gw_m_slot].pid, &me, 0);
    }
    gw_m_slot = -1;
}

void gw_count(gw_mfamily f, size_t i, uint64_t n)
{
    if (!gw_m || f >= GW_MF_COUNT || i >= gw_metrics_width(f))
        return;
    size_t k = gw_metrics_index(f, i);
    if (k < GW_METRICS_COUNTERS)
        atomic_fetch_add_explicit(&gw_m->c[k], n, memory_order_relaxed);
}

void gw_count_request(gw_prog prog, gw_status st)
{
    if ((int)st < 0 || st >= GW_STATUS_COUNT)
        st = GW_E_INTERNAL;
    gw_count(GW_MF_REQUESTS, (size_t)prog * GW_STATUS_COUNT + (size_t)st, 1);
}

void gw_count_db_time(uint64_t us)
{
    if (!gw_m)
        return;
    atomic_fetch_add_explicit(&gw_m->db_bucket[gw_metrics_db_bucket(us)], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&gw_m->db_sum_us, us, memory_order_relaxed);
}

void gw_counters_read(gw_metrics_data *m)
{
    memset(m, 0, sizeof(*m));
    if (!gw_m)
        return;
    m->shared = gw_m_shared;
    m->since = gw_m->since;
    for (size_t i = 0; i < GW_METRICS_COUNTERS; i++)
        m->c[i] = atomic_load_explicit(&gw_m->c[i], memory_order_relaxed);
    for (size_t i = 0; i < GW_DB_BUCKETS; i++)
        m->db_bucket[i] = atomic_load_explicit(&gw_m->db_bucket[i], memory_order_relaxed);
    m->db_sum_us = atomic_load_explicit(&gw_m->db_sum_us, memory_order_relaxed);
    for (int i = 0; i < GW_METRICS_PROCS; i++) {
        int pid = atomic_load(&gw_m->procs[i].pid);
        if (pid == 0)
            continue;
        if (gw_proc_gone(pid)) { /* crashed without leaving: free its slot */
            atomic_compare_exchange_strong(&gw_m->procs[i].pid, &pid, 0);
            continue;
        }
        if (pid < 0)
            continue; /* being filled */
        gw_metrics_proc *p = &m->procs[m->nprocs++];
        p->pid = pid;
        p->prog = gw_m->procs[i].prog;
        p->started = gw_m->procs[i].started;
    }
}
