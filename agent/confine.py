"""Kernel boundaries for the agent's worker process: rlimits, namespaces, Landlock and seccomp.

`confine` runs inside the worker after its imports and before it reads any
agent code. Each layer is applied if this kernel offers it and skipped (and
not reported) if not; the caller shows which layers took effect:

- rlimits: address space, CPU seconds, open files, processes, file size, core dumps;
- namespaces: a new user namespace (no capabilities over the host) and a new
  network namespace (no interfaces, so no route anywhere), via `unshare(2)`;
- landlock (the `landlock` package): the file system is read-only and limited to
  the Python installation and the project's `agent/` and `tools/` packages;
  no config, no data folder, no `/proc`, no home folder;
- seccomp (the `pyseccomp` package, over libseccomp): no sockets, no new
  processes or programs, no debugging other processes, no raising limits,
  no signals to other processes, no new namespaces or mounts.

A layer that fails half-way raises: a worker that is less confined than it
says must not run code.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import resource
import signal
import sys
import termios
from dataclasses import dataclass
from pathlib import Path

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_CLONE_THREAD = 0x00010000

_DENIED_SYSCALLS = (
    # network
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4", "sendto", "sendmsg", "sendmmsg",
    # new processes and programs (threads are allowed below: clone with CLONE_THREAD)
    "fork", "vfork", "execve", "execveat",
    # other processes
    "ptrace", "process_vm_readv", "process_vm_writev", "kill", "tkill", "tgkill", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    # limits and privileges
    "setrlimit", "prlimit64", "setpriority", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
    "setgroups", "capset",
    # namespaces, mounts and the kernel itself
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_by_handle_at", "name_to_handle_at",
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "init_module", "finit_module",
    "delete_module", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "iopl", "ioperm",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "fanotify_init", "syslog", "acct", "quotactl",
    "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
)


@dataclass(frozen=True)
class WorkerLimits:
    """What one worker may use.

    Args:
        memory_bytes: address-space limit (RLIMIT_AS); a bigger allocation raises MemoryError.
        cpu_s: CPU seconds for the worker's life (RLIMIT_CPU); past it the kernel stops the worker.
    """

    memory_bytes: int = 1 << 30
    cpu_s: int = 120


def confine(limits: WorkerLimits, readable: list[Path]) -> list[str]:
    """Apply every layer this kernel offers; return their names, in order.

    Args:
        limits: memory and CPU limits.
        readable: folders the worker may still read (the Python installation, the project's packages).

    Raises:
        OSError: a layer the kernel offers could not be applied fully.
    """
    _without_terminal()
    layers = ["process"]
    _rlimits(limits)
    layers.append("rlimits")
    seccomp_filter = _seccomp_filter()  # built before Landlock hides libseccomp's shared library
    if _namespaces():
        layers.append("namespaces")
    if _landlock(readable):
        layers.append("landlock")
    if seccomp_filter is not None:
        seccomp_filter.load()
        layers.append("seccomp")
    return layers


def _without_terminal() -> None:
    """Leave the controlling terminal, if there is one: the agent's code must not reach the terminal Diorama runs in
    (TIOCSTI types into it). The worker stays in Diorama's session instead of starting its own: Linux schedules a
    session as its own autogroup, and a new one can starve on a saturated machine (`Fleet._process_group`)."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return  # no controlling terminal
    try:
        fcntl.ioctl(tty, termios.TIOCNOTTY)
    finally:
        os.close(tty)


def _rlimits(limits: WorkerLimits) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past RLIMIT_FSIZE fails with EFBIG instead of killing
    open_fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 8
    for name, value in (("RLIMIT_AS", limits.memory_bytes), ("RLIMIT_CPU", limits.cpu_s),
                        ("RLIMIT_NOFILE", open_fds + 16), ("RLIMIT_NPROC", 0), ("RLIMIT_FSIZE", 0),
                        ("RLIMIT_CORE", 0)):
        which = getattr(resource, name)
        hard = value + 2 if name == "RLIMIT_CPU" else value  # CPU: SIGXCPU at the soft limit, SIGKILL 2 s later
        soft_now, hard_now = resource.getrlimit(which)
        if hard_now != resource.RLIM_INFINITY and hard_now < hard:
            hard = hard_now
        resource.setrlimit(which, (min(value, hard), hard))


def _namespaces() -> bool:
    """A new user namespace (so no capability over host files or limits) and an empty network namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:
        return True
    if libc.unshare(_CLONE_NEWNET) == 0:  # a privileged host that forbids user namespaces
        return True
    return False


def _landlock(readable: list[Path]) -> bool:
    try:
        import landlock
        from landlock import FSAccess, Ruleset
    except ImportError:
        return False
    try:
        if landlock.landlock_abi_version() < 1:
            return False
    except Exception:  # the kernel has no Landlock (ENOSYS/EOPNOTSUPP): not a layer here
        return False
    ruleset = Ruleset(restrict_rules=FSAccess.all())
    read = FSAccess.READ_FILE | FSAccess.READ_DIR
    for folder in dict.fromkeys(p.resolve() for p in readable if p.exists()):
        ruleset.allow(str(folder), rules=read)
    ruleset.apply()
    return True


def _seccomp_filter():
    """The syscall filter, ready to load; None where libseccomp is missing."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError):  # the package, or libseccomp under it, is missing
        return None
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    except (OSError, RuntimeError, AttributeError):
        return None
    denied = seccomp.ERRNO(errno.EPERM)
    for name in _DENIED_SYSCALLS:
        try:
            rules.add_rule(denied, name)
        except (ValueError, OSError, RuntimeError):  # a syscall this architecture does not have
            continue
    # clone: threads only (CLONE_THREAD set); clone3 answers ENOSYS so libc falls back to clone
    rules.add_rule(denied, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_THREAD, 0))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    return rules


def python_folders() -> list[Path]:
    """Folders holding the running Python's standard library and installed packages."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)}
    folders.update(Path(p) for p in sys.path if p and ("site-packages" in p or "dist-packages" in p))
    return sorted(folders)


__all__ = ["WorkerLimits", "confine", "python_folders"]
