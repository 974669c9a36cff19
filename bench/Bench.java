import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmark programs share, so each states only what it measures: the CPU a process has
 * used (read from /proc, so it counts processes this JVM did not start: the server and its
 * PostgreSQL backends), psql calls (the command line {@code psql} given by the script, BENCH_PSQL), JSON calls to the server under test, a CSV import through its API, and
 * picking values out of an answer. JDK only; the scripts compile it beside the program they run
 * (server.sh's run_bench_program).
 */
final class Bench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** USER_HZ, the unit of utime and stime in /proc/<pid>/stat on Linux. */
    static final double TICKS_PER_SECOND = 100;

    private Bench() {
    }

    /** utime + stime of a process, in seconds; 0 when it is gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (Exception gone) {
            return 0;
        }
    }

    /** The CPU seconds of several processes together. */
    static double cpuSeconds(List<Long> pids) {
        return pids.stream().mapToDouble(Bench::cpuSeconds).sum();
    }

    /** The PostgreSQL backends serving Mailtree's database (its connection pool), not this tool's psql. */
    static List<Long> backends(String psql, String database) throws Exception {
        List<Long> pids = new ArrayList<>();
        for (String line : psqlOutput(psql, "-Atc \"select pid from pg_stat_activity where datname = '" + database
                + "' and application_name <> 'psql'\"").split("\n")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.strip()));
            }
        }
        return pids;
    }

    /** Runs {@code psql} with {@code arguments}; answers what it printed, or fails when it fails. */
    static String psqlOutput(String psql, String arguments) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", psql + " " + arguments).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + out);
        }
        return out;
    }

    /** Feeds {@code script} to {@code psql}, stopping at the first error; fails when it fails. */
    static void psqlScript(String psql, String script) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", psql + " -q -v ON_ERROR_STOP=1").redirectErrorStream(true)
                .start();
        process.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + out);
        }
    }

    /** A JSON call to {@code base + path}; answers the body, or fails unless the status is {@code expected}. */
    static String send(String base, String method, String path, String authorization, String json, int expected)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", authorization)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " "
                    + abbreviate(response.body()));
        }
        return response.body();
    }

    /** Starts an import of {@code csv} (into list {@code listId} when not null); answers the job. */
    static String upload(String base, String authorization, Path csv, String listId) throws Exception {
        String boundary = "----bench" + UUID.randomUUID();
        String head = (listId == null ? "" : "--" + boundary + "\r\nContent-Disposition: form-data; name=\"listId\"\r\n\r\n"
                + listId + "\r\n") + "--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"contacts.csv\"\r\nContent-Type: text/csv\r\n\r\n";
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/imports"))
                .header("Authorization", authorization).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head),
                        HttpRequest.BodyPublishers.ofFile(csv),
                        HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n")))
                .timeout(Duration.ofMinutes(10)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("upload: " + response.statusCode() + " " + abbreviate(response.body()));
        }
        return response.body();
    }

    /** Polls an import until it ends; answers the finished job, or fails unless it is DONE. */
    static String awaitImport(String base, String authorization, String id) throws Exception {
        while (true) {
            String job = send(base, "GET", "/api/v1/imports/" + id, authorization, null, 200);
            if (!job.contains("\"status\":\"RUNNING\"")) {
                if (!job.contains("\"status\":\"DONE\"")) {
                    throw new IllegalStateException("import did not succeed: " + job);
                }
                return job;
            }
            Thread.sleep(100);
        }
    }

    /** The first group of {@code regex} in {@code text}; fails when it is not there. */
    static String group(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + regex + " in " + abbreviate(text));
        }
        return matcher.group(1);
    }

    /** How often {@code needle} occurs in {@code text}. */
    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** At most 600 characters of {@code text}, for an error message. */
    static String abbreviate(String text) {
        return text.length() <= 600 ? text : text.substring(0, 600) + "…";
    }
}
