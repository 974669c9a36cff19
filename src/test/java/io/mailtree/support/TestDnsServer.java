package io.mailtree.support;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * A small authoritative DNS server for the tests, on UDP and TCP at one loopback port, speaking the
 * real wire format through dnsjava's messages: it serves the records a test puts in, answers
 * NXDOMAIN for a name it holds nothing at, and SERVFAIL for a name a test marks as failing. A TXT
 * value longer than 255 characters is split into strings as a DNS host does.
 */
public final class TestDnsServer implements AutoCloseable {

    private static final long TTL = 60;

    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Map<Name, Boolean> failing = new ConcurrentHashMap<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private volatile boolean open = true;

    private TestDnsServer(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Starts a server on a free loopback port, the same for UDP and TCP. */
    public static TestDnsServer start() {
        for (int attempt = 0; attempt < 20; attempt++) {
            DatagramSocket udp = null;
            try {
                udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ServerSocket tcp = new ServerSocket();
                tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort()));
                TestDnsServer server = new TestDnsServer(udp, tcp);
                server.serve();
                return server;
            } catch (IOException portTakenForTcp) {
                if (udp != null) {
                    udp.close();
                }
            }
        }
        throw new IllegalStateException("no loopback port free for UDP and TCP at once");
    }

    /** {@code host:port}, as {@code mailtree.dns.resolver} takes it. */
    public String address() {
        return "127.0.0.1:" + udp.getLocalPort();
    }

    /** Publishes a TXT record at {@code name}, beside those already there. */
    public void txt(String name, String value) {
        List<String> strings = new ArrayList<>();
        for (int at = 0; at < value.length(); at += 255) {
            strings.add(value.substring(at, Math.min(value.length(), at + 255)));
        }
        add(new TXTRecord(name(name), DClass.IN, TTL, strings));
    }

    /** Publishes an MX record at {@code name}; {@code host} "." is the null MX of RFC 7505. */
    public void mx(String name, int priority, String host) {
        add(new MXRecord(name(name), DClass.IN, TTL, priority, name(host)));
    }

    /** Removes every record at {@code name}: it then answers NXDOMAIN. */
    public void remove(String name) {
        records.remove(name(name));
    }

    /** Answers SERVFAIL for {@code name} (or stops doing so), as a broken upstream does. */
    public void failing(String name, boolean fail) {
        if (fail) {
            failing.put(name(name), true);
        } else {
            failing.remove(name(name));
        }
    }

    private void add(Record record) {
        records.computeIfAbsent(record.getName(), n -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(record);
    }

    private static Name name(String text) {
        try {
            return text.equals(".") ? Name.root : Name.fromString(text.toLowerCase(Locale.ROOT) + ".");
        } catch (TextParseException invalid) {
            throw new IllegalArgumentException(text, invalid);
        }
    }

    private void serve() {
        Thread udpThread = new Thread(() -> {
            byte[] buffer = new byte[65535];
            while (open) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    udp.receive(packet);
                    byte[] answer = answer(java.util.Arrays.copyOf(packet.getData(), packet.getLength()), 512);
                    udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                } catch (IOException closed) {
                    // closed by close(), or one bad datagram: the loop decides by open
                }
            }
        }, "test-dns-udp");
        Thread tcpThread = new Thread(() -> {
            while (open) {
                try (Socket client = tcp.accept()) {
                    DataInputStream in = new DataInputStream(client.getInputStream());
                    byte[] query = new byte[in.readUnsignedShort()];
                    in.readFully(query);
                    byte[] answer = answer(query, 65535);
                    DataOutputStream out = new DataOutputStream(client.getOutputStream());
                    out.writeShort(answer.length);
                    out.write(answer);
                    out.flush();
                } catch (IOException closed) {
                    // as above
                }
            }
        }, "test-dns-tcp");
        udpThread.setDaemon(true);
        tcpThread.setDaemon(true);
        udpThread.start();
        tcpThread.start();
    }

    private byte[] answer(byte[] wire, int maxLength) throws IOException {
        Message query = new Message(wire);
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        response.addRecord(question, Section.QUESTION);
        Name asked = new Name(question.getName().toString().toLowerCase(Locale.ROOT));
        if (failing.containsKey(asked)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response.toWire(maxLength);
        }
        List<Record> held = records.get(asked);
        if (held == null || held.isEmpty()) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            return response.toWire(maxLength);
        }
        for (Record record : held) {
            if (record.getType() == question.getType()) {
                response.addRecord(record, Section.ANSWER);
            }
        }
        return response.toWire(maxLength);
    }

    @Override
    public void close() {
        open = false;
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
