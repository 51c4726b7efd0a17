"""Redis beyond one server, started for the tests from the ``redis-server`` binary (and
``redis-cli``): a 3-master Cluster, and a master with a replica watched by a Sentinel. Each on
free ports of 127.0.0.1, in a temp folder, without persistence; stopped with ``stop()``."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


class _Servers:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> int:
        port = free_port()
        if "--cluster-enabled" in args:
            port = free_port(pair=True)
        where = self.folder / f"{name}-{port}"
        where.mkdir(parents=True)
        # A config file (the sentinel's) must come first.
        conf = bool(args) and args[0].endswith(".conf")
        command = [REDIS_SERVER, args[0]] if conf else [REDIS_SERVER]
        rest = list(args[1:] if conf else args)
        command += [
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(where),
            *rest,
        ]
        with (where / "log").open("wb") as log:  # the server has its own copy
            self.processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
        _until(lambda: _pings(port), f"{name} on port {port}")
        return port

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


class RedisCluster(_Servers):
    """Three masters, no replicas: ``url`` is ``redis+cluster://`` two of them."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        self.ports = [
            self.start("cluster", "--cluster-enabled", "yes", "--cluster-node-timeout", "2000")
            for _ in range(3)
        ]
        subprocess.run(
            [
                REDIS_CLI,
                "--cluster",
                "create",
                *(f"127.0.0.1:{p}" for p in self.ports),
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        _until(self._ok, "the cluster's slots")
        self.url = f"redis+cluster://127.0.0.1:{self.ports[0]},127.0.0.1:{self.ports[1]}"

    def _ok(self) -> bool:
        for port in self.ports:
            client = redis.Redis(port=port)
            try:
                if client.cluster("info").get("cluster_state") != "ok":  # type: ignore[union-attr]
                    return False
            finally:
                client.close()
        return True


class RedisSentinel(_Servers):
    """A master, its replica, and one Sentinel watching them (quorum 1, service
    ``mymaster``): ``url`` is ``redis+sentinel://…/mymaster/0``."""

    SERVICE = "mymaster"

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        self.master = self.start("master")
        self.replica = self.start("replica", "--replicaof", "127.0.0.1", str(self.master))
        config = self.folder / "sentinel.conf"
        config.write_text(
            f"sentinel monitor {self.SERVICE} 127.0.0.1 {self.master} 1\n"
            f"sentinel down-after-milliseconds {self.SERVICE} 1000\n"
            f"sentinel failover-timeout {self.SERVICE} 5000\n"
        )
        self.sentinel = self.start("sentinel", str(config), "--sentinel")
        _until(self._replica_known, "the sentinel's view of the replica")
        self.url = f"redis+sentinel://127.0.0.1:{self.sentinel}/{self.SERVICE}/0"

    def _replica_known(self) -> bool:
        client = redis.Redis(port=self.sentinel)
        try:
            return bool(client.execute_command("SENTINEL", "REPLICAS", self.SERVICE))
        finally:
            client.close()

    def master_port(self) -> int:
        client = redis.Redis(port=self.sentinel)
        try:
            _, port = client.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.SERVICE)
        finally:
            client.close()
        return int(port)

    def failover(self) -> int:
        """Make the replica the master (``SENTINEL FAILOVER``); the new master's port."""
        old = self.master_port()
        client = redis.Redis(port=self.sentinel)
        deadline = time.monotonic() + 20
        try:
            while True:  # until the sentinel sees a replica in sync to promote
                try:
                    client.execute_command("SENTINEL", "FAILOVER", self.SERVICE)
                    break
                except redis.ResponseError as error:
                    if "NOGOODSLAVE" not in str(error) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        finally:
            client.close()
        _until(lambda: self.master_port() != old, "the failover", timeout=30)
        return self.master_port()


def free_port(*, pair: bool = False) -> int:
    """A free port of 127.0.0.1; with *pair*, one whose cluster bus port (+10000) is free
    too (a cluster node needs both, and its port at most 55535)."""
    while True:
        port = random.randint(20000, 55535) if pair else 0
        try:
            with socket.socket() as first, socket.socket() as bus:
                first.bind(("127.0.0.1", port))
                if pair:
                    bus.bind(("127.0.0.1", port + 10000))
                found: int = first.getsockname()[1]
                return found
        except OSError:
            continue


def _pings(port: int) -> bool:
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _until(done: object, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError(f"Redis: {what} not ready after {timeout:g} s")
