package io.daak.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The request/reply and client/server part of the in-process engine: the servers of each service and
 * the round-robin choice between them.
 *
 * <p>Thread-safe: the server lists are copy-on-write; choosing a server does not lock.
 */
final class Services {

    private final ConcurrentHashMap<String, Servers> services = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();

    /** The servers of one service. */
    static final class Servers {
        final CopyOnWriteArrayList<Server> list = new CopyOnWriteArrayList<>();
        final AtomicInteger next = new AtomicInteger();
    }

    /** One registered handler. */
    static final class Server implements Registration {
        final String service;
        final ServiceHandler<Object, Object> handler;
        final Servers servers;
        final AtomicBoolean disposed = new AtomicBoolean();

        Server(String service, ServiceHandler<Object, Object> handler, Servers servers) {
            this.service = service;
            this.handler = handler;
            this.servers = servers;
        }

        @Override
        public String service() {
            return service;
        }

        @Override
        public void dispose() {
            if (disposed.compareAndSet(false, true)) {
                servers.list.remove(this);
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed.get();
        }
    }

    Registration register(String service, ServiceHandler<Object, Object> handler) {
        Servers servers = services.computeIfAbsent(service, s -> new Servers());
        Server server = new Server(service, handler, servers);
        servers.list.add(server);
        return server;
    }

    /** The next server of a service, round robin; null when nothing serves it. */
    @Nullable
    Server pick(String service) {
        Servers servers = services.get(service);
        if (servers == null) {
            return null;
        }
        for (; ; ) {
            Object[] snapshot = servers.list.toArray();
            if (snapshot.length == 0) {
                return null;
            }
            Server s = (Server) snapshot[Math.floorMod(servers.next.getAndIncrement(), snapshot.length)];
            if (!s.isDisposed()) {
                return s;
            }
        }
    }

    long nextRequestId() {
        return requests.incrementAndGet();
    }

    void close() {
        for (Servers servers : services.values()) {
            for (Server s : servers.list) {
                s.dispose();
            }
        }
        services.clear();
    }
}
