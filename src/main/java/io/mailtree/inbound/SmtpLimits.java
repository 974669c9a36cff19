package io.mailtree.inbound;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * The per-address limits of one of Mailtree's SMTP servers: how many connections one address may
 * hold at once, and how many units of work it may start per minute (a connection is one; on the
 * inbound server a message is one more), as a token bucket that refills evenly over the minute.
 * Past either limit a connection is answered {@code 421 4.7.0} and closed, which a well-behaved
 * client treats as "try again later", so legitimate mail is delayed, not lost. An IPv6 address
 * counts by its /64 network, which one host usually holds whole. At most 10,000 addresses are
 * tracked; when that many are busy at once, new ones are refused until some go idle.
 */
final class SmtpLimits implements SessionHandler {

    private static final int MAX_TRACKED = 10_000;

    private final int maxConnectionsPerAddress;
    private final int perMinute;
    private final Clock clock;
    private final Map<String, Source> sources = new HashMap<>();

    /**
     * @param maxConnectionsPerAddress connections one address may hold at once; 0 for no limit
     * @param perMinute connections (and messages, where counted) one address may start a minute; 0 for no limit
     */
    SmtpLimits(int maxConnectionsPerAddress, int perMinute, Clock clock) {
        if (maxConnectionsPerAddress < 0 || perMinute < 0) {
            throw new IllegalArgumentException("SMTP connection and rate limits cannot be negative");
        }
        this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** One address's open sessions and its bucket. */
    private final class Source {
        private final Set<Session> open = new HashSet<>();
        private double tokens = perMinute;
        private long refilledAt = clock.millis();

        boolean take(long now) {
            if (perMinute == 0) {
                return true;
            }
            // A clock stepped back (NTP, a test clock) refills nothing rather than draining the bucket
            // for as long as it stepped.
            tokens = Math.min(perMinute, tokens + Math.max(0, now - refilledAt) * perMinute / 60_000.0);
            refilledAt = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        boolean idle(long now) {
            // A closed socket is a session that ended without telling us (the library skips the end
            // callback when the greeting itself fails): it holds no place.
            open.removeIf(session -> session.getSocket() == null || session.getSocket().isClosed());
            return open.isEmpty() && (perMinute == 0 || tokens + Math.max(0, now - refilledAt) * perMinute / 60_000.0 >= perMinute);
        }
    }

    @Override
    public synchronized SessionAcceptance accept(Session session) {
        long now = clock.millis();
        String key = key(session.getRemoteAddress());
        Source source = sources.get(key);
        if (source == null) {
            if (sources.size() >= MAX_TRACKED) {
                sources.values().removeIf(tracked -> tracked.idle(now));
            }
            if (sources.size() >= MAX_TRACKED) {
                return SessionAcceptance.failure(421, "4.7.0 Too many clients at once; try again later");
            }
            source = new Source();
            sources.put(key, source);
        }
        source.idle(now);
        if (maxConnectionsPerAddress > 0 && source.open.size() >= maxConnectionsPerAddress) {
            return SessionAcceptance.failure(421, "4.7.0 Too many connections from your address; try again later");
        }
        if (!source.take(now)) {
            return SessionAcceptance.failure(421, "4.7.0 Too many connections from your address in the last minute;"
                    + " try again later");
        }
        source.open.add(session);
        return SessionAcceptance.success();
    }

    @Override
    public synchronized void onSessionEnd(Session session) {
        Source source = sources.get(key(session.getRemoteAddress()));
        if (source != null) {
            source.open.remove(session);
        }
    }

    /** Takes one unit of work for a message from this address; false when its minute's budget is spent. */
    synchronized boolean takeMessage(SocketAddress remote) {
        Source source = sources.get(key(remote));
        return source == null || source.take(clock.millis());
    }

    /** The address a limit counts: the address itself, or an IPv6 address's /64 network. */
    static String key(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(remote);
        }
        InetAddress address = inet.getAddress();
        if (address instanceof Inet6Address) {
            byte[] network = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(network, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/64";
            } catch (java.net.UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return address.getHostAddress();
    }
}
