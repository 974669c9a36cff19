import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * A minimal, fast SMTP sink for the send benchmark (bench/send.sh). JDK only, loopback only.
 *
 * <p>Speaks enough SMTP to take mail from a relay client: EHLO/HELO, MAIL FROM, RCPT TO, DATA (with
 * dot-unstuffing), RSET, NOOP, VRFY, HELP, QUIT; advertises PIPELINING, 8BITMIME and SIZE and answers
 * pipelined commands in order, flushing only when the client has nothing more buffered. One thread per
 * connection. Every message is accepted and counted (messages, recipients, bytes after unstuffing,
 * messages carrying a DKIM-Signature header), in total and per domain of the first recipient (there also
 * the number of distinct first recipients, to spot duplicate deliveries), with the wall-clock time of the
 * first and last message. Messages with a recipient matching {@code --save}
 * are kept in memory (the last 200) and, with {@code --save-dir}, written to files.
 *
 * <p>A tiny HTTP server on 127.0.0.1 answers:
 * <ul>
 * <li>{@code GET /stats}: JSON {@code {"messages":..,"recipients":..,"bytes":..,"signed":..,
 * "firstAt":ms,"lastAt":ms,"connections":..,"open":..,"errors":..,"now":ms,"domains":{"d":{...,"distinct":..}}}}.</li>
 * <li>{@code GET /saved?rcpt=ADDRESS}: the newest saved message with that recipient (raw, as received
 * after unstuffing), 404 if none.</li>
 * </ul>
 *
 * <p>Usage: {@code java bench/SmtpSink.java [--port 2525|0] [--http-port 0] [--save REGEX]
 * [--save-dir DIR] [--ready-file FILE] [--quiet]}. With port 0 a free port is chosen; the ready file
 * receives {@code smtp=PORT http=PORT} once both listen. Stats go to stderr every 10 s when they
 * changed, and at exit.
 */
public class SmtpSink {

    static final int MAX_LINE = 1 << 20;           // a command or data line longer than 1 MB ends the session
    static final long MAX_SIZE = 64L << 20;        // advertised SIZE; bigger messages are still counted

    /** Counters for all mail or one recipient domain. */
    static final class Counts {
        final LongAdder messages = new LongAdder();
        final LongAdder recipients = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final LongAdder signed = new LongAdder();
        final AtomicLong firstAt = new AtomicLong();
        final AtomicLong lastAt = new AtomicLong();
        final java.util.Set<String> distinct = ConcurrentHashMap.newKeySet(); // first recipients seen (per domain only)

        void add(int rcpts, long size, boolean dkim, long now) {
            messages.increment();
            recipients.add(rcpts);
            bytes.add(size);
            if (dkim) {
                signed.increment();
            }
            firstAt.compareAndSet(0, now);
            lastAt.accumulateAndGet(now, Math::max);
        }

        String json(boolean withDistinct) {
            return "\"messages\":" + messages.sum() + ",\"recipients\":" + recipients.sum() + ",\"bytes\":" + bytes.sum()
                    + ",\"signed\":" + signed.sum() + (withDistinct ? ",\"distinct\":" + distinct.size() : "")
                    + ",\"firstAt\":" + firstAt.get() + ",\"lastAt\":" + lastAt.get();
        }
    }

    record Saved(List<String> recipients, byte[] data) {
    }

    static final Counts TOTAL = new Counts();
    static final Map<String, Counts> DOMAINS = new ConcurrentHashMap<>();
    static final LongAdder CONNECTIONS = new LongAdder();
    static final AtomicLong OPEN = new AtomicLong();
    static final LongAdder ERRORS = new LongAdder();
    static final Deque<Saved> SAVED = new ArrayDeque<>();
    static final AtomicLong SAVE_SEQ = new AtomicLong();
    static Pattern savePattern;
    static Path saveDir;

    public static void main(String[] args) throws Exception {
        int port = 2525;
        int httpPort = 0;
        Path readyFile = null;
        boolean quiet = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--http-port" -> httpPort = Integer.parseInt(args[++i]);
                case "--save" -> savePattern = Pattern.compile(args[++i], Pattern.CASE_INSENSITIVE);
                case "--save-dir" -> saveDir = Path.of(args[++i]);
                case "--ready-file" -> readyFile = Path.of(args[++i]);
                case "--quiet" -> quiet = true;
                default -> {
                    System.err.println("usage: java SmtpSink.java [--port N] [--http-port N] [--save REGEX] "
                            + "[--save-dir DIR] [--ready-file FILE] [--quiet]");
                    System.exit(2);
                }
            }
        }
        if (saveDir != null) {
            Files.createDirectories(saveDir);
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocket server = new ServerSocket(port, 1024, loopback);
        server.setReuseAddress(true);

        HttpServer http = HttpServer.create(new InetSocketAddress(loopback, httpPort), 64);
        http.createContext("/stats", SmtpSink::stats);
        http.createContext("/saved", SmtpSink::saved);
        http.setExecutor(Executors.newFixedThreadPool(2, r -> daemon(r, "sink-http")));
        http.start();

        String ports = "smtp=" + server.getLocalPort() + " http=" + http.getAddress().getPort();
        System.err.println("[sink] listening on 127.0.0.1: " + ports
                + (savePattern == null ? "" : ", saving recipients matching " + savePattern.pattern()));
        if (readyFile != null) {
            Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
            Files.writeString(tmp, ports + "\n");
            Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println("[sink] at exit: " + summary())));
        if (!quiet) {
            Thread reporter = daemon(() -> {
                String last = "";
                while (true) {
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    String now = summary();
                    if (!now.equals(last)) {
                        System.err.println("[sink] " + now);
                        last = now;
                    }
                }
            }, "sink-reporter");
            reporter.start();
        }

        while (true) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                ERRORS.increment();
                continue;
            }
            CONNECTIONS.increment();
            daemon(() -> session(socket), "smtp-" + socket.getPort()).start();
        }
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    static String summary() {
        return String.format(Locale.ROOT, "messages=%d recipients=%d bytes=%d signed=%d connections=%d open=%d errors=%d",
                TOTAL.messages.sum(), TOTAL.recipients.sum(), TOTAL.bytes.sum(), TOTAL.signed.sum(), CONNECTIONS.sum(),
                OPEN.get(), ERRORS.sum());
    }

    // --- SMTP -----------------------------------------------------------------------------------

    /** Reads CRLF (or bare LF) terminated lines from its own buffer (no per-byte locking). */
    static final class LineReader {
        final InputStream in;
        final byte[] chunk = new byte[65536];
        int pos;
        int end;
        byte[] buf = new byte[1024];
        int len;

        LineReader(InputStream in) {
            this.in = in;
        }

        /** Whether more input is already waiting (pipelined commands): then replies need not be flushed yet. */
        boolean hasBuffered() throws IOException {
            return pos < end || in.available() > 0;
        }

        /** Reads one line without its terminator into buf[0..len); false at end of stream. */
        boolean next() throws IOException {
            len = 0;
            while (true) {
                if (pos == end) {
                    int n = in.read(chunk, 0, chunk.length);
                    if (n < 0) {
                        return len > 0;
                    }
                    pos = 0;
                    end = n;
                }
                int start = pos;
                int nl = -1;
                for (int i = pos; i < end; i++) {
                    if (chunk[i] == '\n') {
                        nl = i;
                        break;
                    }
                }
                int stop = nl < 0 ? end : nl;
                append(start, stop - start);
                pos = nl < 0 ? end : nl + 1;
                if (nl >= 0) {
                    if (len > 0 && buf[len - 1] == '\r') {
                        len--;
                    }
                    return true;
                }
            }
        }

        private void append(int from, int n) throws IOException {
            if (len + n > buf.length) {
                if (len + n > MAX_LINE) {
                    throw new IOException("line too long");
                }
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
            System.arraycopy(chunk, from, buf, len, n);
            len += n;
        }

        String text() {
            return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
        }
    }

    static void session(Socket socket) {
        OPEN.incrementAndGet();
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(300_000);
            LineReader lines = new LineReader(socket.getInputStream());
            LineReader in = lines; // replies consult it to see whether pipelined input is waiting
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            reply(out, in, "220 sink.localhost ESMTP bench sink");
            String from = null;
            List<String> rcpts = new ArrayList<>();
            while (lines.next()) {
                String line = lines.text();
                String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> {
                        from = null;
                        rcpts.clear();
                        reply(out, in, "250-sink.localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE " + MAX_SIZE
                                + "\r\n250 HELP");
                    }
                    case "HELO" -> {
                        from = null;
                        rcpts.clear();
                        reply(out, in, "250 sink.localhost");
                    }
                    case "MAIL" -> {
                        if (!startsWithIgnoreCase(line, "MAIL FROM:")) {
                            reply(out, in, "501 5.5.4 syntax: MAIL FROM:<address>");
                        } else if (from != null) {
                            reply(out, in, "503 5.5.1 nested MAIL command");
                        } else {
                            from = address(line.substring(10));
                            rcpts.clear();
                            reply(out, in, "250 2.1.0 ok");
                        }
                    }
                    case "RCPT" -> {
                        if (!startsWithIgnoreCase(line, "RCPT TO:")) {
                            reply(out, in, "501 5.5.4 syntax: RCPT TO:<address>");
                        } else if (from == null) {
                            reply(out, in, "503 5.5.1 need MAIL first");
                        } else if (rcpts.size() >= 1000) {
                            reply(out, in, "452 4.5.3 too many recipients");
                        } else {
                            rcpts.add(address(line.substring(8)));
                            reply(out, in, "250 2.1.5 ok");
                        }
                    }
                    case "DATA" -> {
                        if (from == null || rcpts.isEmpty()) {
                            reply(out, in, from == null ? "503 5.5.1 need MAIL first" : "554 5.5.1 no valid recipients");
                            // a pipelining client sends the content anyway only after a 354; nothing to swallow
                        } else {
                            reply(out, in, "354 end with <CRLF>.<CRLF>");
                            out.flush();
                            if (!data(lines, rcpts)) {
                                return;
                            }
                            from = null;
                            rcpts.clear();
                            reply(out, in, "250 2.0.0 ok queued");
                        }
                    }
                    case "RSET" -> {
                        from = null;
                        rcpts.clear();
                        reply(out, in, "250 2.0.0 ok");
                    }
                    case "NOOP" -> reply(out, in, "250 2.0.0 ok");
                    case "VRFY" -> reply(out, in, "252 2.1.5 cannot verify, will accept");
                    case "HELP" -> reply(out, in, "214 2.0.0 EHLO HELO MAIL RCPT DATA RSET NOOP QUIT");
                    case "QUIT" -> {
                        reply(out, in, "221 2.0.0 bye");
                        out.flush();
                        return;
                    }
                    default -> reply(out, in, "500 5.5.2 command not recognised");
                }
            }
        } catch (SocketException closed) {
            // the client went away: normal for a relay that drops idle connections
        } catch (IOException e) {
            ERRORS.increment();
        } finally {
            OPEN.decrementAndGet();
        }
    }

    /** Reads the message up to the lone dot, unstuffing; counts it; false if the stream ended first. */
    static boolean data(LineReader lines, List<String> rcpts) throws IOException {
        boolean save = false;
        if (savePattern != null) {
            for (String r : rcpts) {
                save |= savePattern.matcher(r).matches();
            }
        }
        ByteArrayOutputStream kept = save ? new ByteArrayOutputStream(16384) : null;
        long size = 0;
        boolean inHeaders = true;
        boolean dkim = false;
        while (true) {
            if (!lines.next()) {
                ERRORS.increment();
                return false;
            }
            int offset = 0;
            if (lines.len > 0 && lines.buf[0] == '.') {
                if (lines.len == 1) {
                    break;
                }
                offset = 1; // dot-unstuffing
            }
            int n = lines.len - offset;
            if (inHeaders) {
                if (n == 0) {
                    inHeaders = false;
                } else if (!dkim && n > 15 && regionMatches(lines.buf, offset, "DKIM-Signature:")) {
                    dkim = true;
                }
            }
            size += n + 2;
            if (kept != null) {
                kept.write(lines.buf, offset, n);
                kept.write('\r');
                kept.write('\n');
            }
        }
        long now = System.currentTimeMillis();
        TOTAL.add(rcpts.size(), size, dkim, now);
        String first = rcpts.get(0);
        String domain = first.substring(first.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        Counts perDomain = DOMAINS.computeIfAbsent(domain, d -> new Counts());
        perDomain.add(rcpts.size(), size, dkim, now);
        perDomain.distinct.add(first.toLowerCase(Locale.ROOT));
        if (kept != null) {
            byte[] bytes = kept.toByteArray();
            synchronized (SAVED) {
                SAVED.addLast(new Saved(List.copyOf(rcpts), bytes));
                while (SAVED.size() > 200) {
                    SAVED.removeFirst();
                }
            }
            if (saveDir != null) {
                Files.write(saveDir.resolve(String.format("%06d.eml", SAVE_SEQ.incrementAndGet())), bytes);
            }
        }
        return true;
    }

    static boolean regionMatches(byte[] buf, int offset, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase((char) buf[offset + i]) != Character.toLowerCase(prefix.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean startsWithIgnoreCase(String line, String prefix) {
        return line.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /** The address of "<a@b> PARAMS" or "a@b". */
    static String address(String arg) {
        String s = arg.strip();
        int lt = s.indexOf('<');
        int gt = s.indexOf('>', lt + 1);
        if (lt >= 0 && gt > lt) {
            return s.substring(lt + 1, gt);
        }
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    /** Queues a reply; flushes only when the client has no more pipelined input waiting. */
    static void reply(OutputStream out, LineReader in, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.write('\r');
        out.write('\n');
        if (!in.hasBuffered()) {
            out.flush();
        }
    }

    // --- HTTP -----------------------------------------------------------------------------------

    static void stats(HttpExchange exchange) throws IOException {
        StringBuilder json = new StringBuilder("{").append(TOTAL.json(false))
                .append(",\"connections\":").append(CONNECTIONS.sum())
                .append(",\"open\":").append(OPEN.get())
                .append(",\"errors\":").append(ERRORS.sum())
                .append(",\"now\":").append(System.currentTimeMillis())
                .append(",\"domains\":{");
        String sep = "";
        for (Map.Entry<String, Counts> e : new TreeMap<>(DOMAINS).entrySet()) {
            json.append(sep).append('"').append(e.getKey().replace("\"", "")).append("\":{").append(e.getValue().json(true))
                    .append('}');
            sep = ",";
        }
        json.append("}}");
        respond(exchange, 200, "application/json", json.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void saved(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        String rcpt = query != null && query.startsWith("rcpt=")
                ? java.net.URLDecoder.decode(query.substring(5), StandardCharsets.UTF_8) : "";
        byte[] found = null;
        synchronized (SAVED) {
            for (Iterator<Saved> it = SAVED.descendingIterator(); it.hasNext() && found == null; ) {
                Saved s = it.next();
                for (String r : s.recipients()) {
                    if (r.equalsIgnoreCase(rcpt)) {
                        found = s.data();
                        break;
                    }
                }
            }
        }
        if (found == null) {
            respond(exchange, 404, "text/plain", ("no saved message for " + rcpt + "\n").getBytes(StandardCharsets.UTF_8));
        } else {
            respond(exchange, 200, "message/rfc822", found);
        }
    }

    static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
