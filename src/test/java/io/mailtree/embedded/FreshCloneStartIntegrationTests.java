package io.mailtree.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;

/**
 * A newcomer's first minute, for real: the repository is cloned into a temporary folder, the first
 * command of README.md's first code block ({@code bin/start}) runs there with nothing built yet, and
 * Mailtree must answer {@code /actuator/health} with UP. The command is read from the README, so a
 * README that promises a command the scripts do not keep fails here.
 *
 * <p>The clone is of the current {@code HEAD} of the checkout the tests run in (in CI, a fresh clone
 * of main). Uncommitted changes are not in a clone, so with a dirty working tree this still tests the
 * last commit: that is what a newcomer would get, and it is deliberate.
 *
 * <p>The start builds the jar in the clone ({@code mvn package -DskipTests}, one to two minutes). It
 * reuses the local Maven repository this test run was resolved from, offline, through
 * {@code MAILTREE_MVN_FLAGS}, so it needs no network. The ports are free ones, SMTP servers off and the
 * data directory temporary, so it runs beside other tests and a running Mailtree.
 */
class FreshCloneStartIntegrationTests {

    private static final Path REPOSITORY = Path.of("").toAbsolutePath();
    private static final Duration BUILD_AND_START = Duration.ofMinutes(15);

    @TempDir
    Path sandbox;

    private Process started;

    @Test
    @DisplayName("README's first command, in a fresh clone with nothing built, starts Mailtree and it answers health UP")
    void theReadmesFirstCommandStartsMailtreeInAFreshClone() throws Exception {
        String head = git(REPOSITORY, "rev-parse", "HEAD").orElse(null);
        Assumptions.assumeTrue(head != null, "the tests run outside a git checkout: nothing to clone");
        Path clone = sandbox.resolve("mailtree");
        assertThat(git(sandbox, "clone", "--quiet", "--no-checkout", REPOSITORY.toString(), clone.toString()))
                .as("git clone of %s", REPOSITORY).isPresent();
        assertThat(git(clone, "checkout", "--quiet", head)).as("checkout of %s", head).isPresent();

        String command = firstCommandOf(clone.resolve("README.md"));
        assertThat(command).as("the first command of README.md's first code block").isNotBlank();

        int port = freePort();
        Path log = sandbox.resolve("start.log");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(clone.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        // A newcomer's shell: none of this run's own Mailtree or Spring settings leak into the start.
        env.keySet().removeIf(key -> key.startsWith("MAILTREE_") || key.startsWith("SPRING_")
                || key.startsWith("SERVER_") || key.equals("JAVA_OPTS"));
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("MAILTREE_SUBMISSION_PORT", "0");
        env.put("MAILTREE_INBOUND_PORT", "0");
        env.put("MAILTREE_DATA_DIR", Files.createDirectories(sandbox.resolve("data")).toString());
        env.put("MAILTREE_MVN_FLAGS", offlineMavenFlags());
        started = builder.start();

        Instant deadline = Instant.now().plus(BUILD_AND_START);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .timeout(Duration.ofSeconds(5)).build();
        String answer = null;
        while (answer == null) {
            assertThat(started.isAlive()).as("`%s` ended (status %s) before Mailtree answered:%n%s", command,
                    started.isAlive() ? null : started.exitValue(), tail(log)).isTrue();
            assertThat(Instant.now()).as("Mailtree answered within %s:%n%s", BUILD_AND_START, tail(log))
                    .isBefore(deadline);
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    answer = response.body();
                }
            } catch (ConnectException | java.net.http.HttpTimeoutException notYet) {
                // still building or starting
            }
            if (answer == null) {
                Thread.sleep(2000);
            }
        }
        assertThat(answer).contains("\"status\":\"UP\"");
        assertThat(Files.readString(log)).contains("Started MailtreeApplication");
    }

    /** Stops what the command started, children first seen included (the script execs java, but a shell or Maven may remain). */
    @AfterEach
    void stopTheProcessTree() throws Exception {
        if (started == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(started.descendants().toList());
        tree.add(started.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle process : tree) {
            try {
                process.onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stuck) {
                process.destroyForcibly();
                process.onExit().get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(tree).as("every process of the start has ended").noneMatch(ProcessHandle::isAlive);
    }

    /** The first non-blank line of the first fenced code block, without its trailing {@code # comment}. */
    static String firstCommandOf(Path readme) throws IOException {
        boolean inBlock = false;
        for (String line : Files.readAllLines(readme, StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                if (inBlock) {
                    break;
                }
                inBlock = true;
            } else if (inBlock && !line.isBlank()) {
                int comment = line.indexOf(" #");
                return (comment < 0 ? line : line.substring(0, comment)).trim();
            }
        }
        return "";
    }

    /**
     * {@code -o} plus the local repository this JVM's Spring Boot jar was loaded from
     * ({@code <repository>/org/springframework/boot/spring-boot/<version>/spring-boot-<version>.jar}),
     * so a run with a custom {@code maven.repo.local} is reused as well as the default {@code ~/.m2}.
     */
    private static String offlineMavenFlags() throws Exception {
        Path jar = Path.of(SpringApplication.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path repository = jar;
        for (int level = 0; level < 6 && repository != null; level++) {
            repository = repository.getParent();
        }
        if (repository != null && jar.startsWith(repository.resolve("org/springframework/boot/spring-boot"))
                && !repository.toString().contains(" ")) {
            return "-o -Dmaven.repo.local=" + repository;
        }
        return "-o";
    }

    private static Optional<String> git(Path directory, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(arguments));
        Process git = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return git.waitFor(120, TimeUnit.SECONDS) && git.exitValue() == 0 ? Optional.of(output) : Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
