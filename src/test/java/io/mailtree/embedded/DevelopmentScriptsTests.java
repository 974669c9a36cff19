package io.mailtree.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/start} and {@code bin/test} run in a throw-away project beside stand-in {@code java},
 * {@code mvn} and system commands that only print what they were asked, so the scripts' own logic
 * (when to build, what a failure says) is checked in seconds without building or starting Mailtree.
 * {@link FreshCloneStartIntegrationTests} runs the real thing.
 */
class DevelopmentScriptsTests {

    private static final Path REPOSITORY = Path.of("").toAbsolutePath();
    private static final String JAVA_17 = """
            #!/bin/sh
            if [ "$1" = -version ]; then echo 'openjdk version "17.0.15" 2025-04-15' >&2; exit 0; fi
            echo "java ran: $*"
            """;

    @TempDir
    Path sandbox;

    private Path project;
    private Path tools;

    @BeforeEach
    void copyTheScriptsIntoAProject() throws IOException {
        project = Files.createDirectories(sandbox.resolve("project"));
        tools = Files.createDirectories(sandbox.resolve("tools"));
        for (String script : List.of("bin/start", "bin/test", "bin/lib/common.sh")) {
            Path copy = project.resolve(script);
            Files.createDirectories(copy.getParent());
            Files.copy(REPOSITORY.resolve(script), copy);
        }
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(project.resolve("src/main/java/Main.java"), "class Main {}");
        tool("java", JAVA_17);
        tool("mvn", """
                #!/bin/sh
                echo "mvn ran: $*"
                mkdir -p target && : > target/mailtree-0.1.0-SNAPSHOT.jar
                """);
    }

    @Test
    @DisplayName("bin/start gets to java when thousands of sources are newer than the jar (the old find | head died of SIGPIPE)")
    void startSurvivesManySourcesNewerThanTheJar() throws Exception {
        Path jar = Files.createDirectories(project.resolve("target")).resolve("mailtree-0.1.0-SNAPSHOT.jar");
        Files.writeString(jar, "");
        Path many = Files.createDirectories(project.resolve("src/main/resources/many"));
        for (int i = 0; i < 3000; i++) {
            // Long names: find's output must far exceed the 64 KiB pipe buffer for the old pipeline to break.
            Files.writeString(many.resolve("a-source-file-with-a-long-name-so-the-list-is-long-" + i + ".txt"), "");
        }
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(project.resolve("pom.xml"), old);

        for (int run = 0; run < 5; run++) {
            Files.setLastModifiedTime(jar, old); // the stand-in build rewrote it
            Result start = run("bin/start", Map.of(), "--server.port=1");
            assertThat(start.status()).as(start.output()).isZero();
            assertThat(start.output()).contains("mvn ran: -B -q package -DskipTests")
                    .contains("java ran: -XX:ThreadPriorityPolicy=1 -jar target/mailtree-0.1.0-SNAPSHOT.jar --server.port=1");
        }
    }

    @Test
    @DisplayName("bin/start builds when there is no jar, with MAILTREE_MVN_FLAGS, and skips the build when the jar is newer")
    void startBuildsOnlyWhenNeeded() throws Exception {
        Result first = run("bin/start", Map.of("MAILTREE_MVN_FLAGS", "-o -Dmaven.repo.local=/tmp/repo"));
        assertThat(first.status()).as(first.output()).isZero();
        assertThat(first.output()).contains("mvn ran: -B -q -o -Dmaven.repo.local=/tmp/repo package -DskipTests")
                .contains("java ran: -XX:ThreadPriorityPolicy=1 -jar target/mailtree-0.1.0-SNAPSHOT.jar");

        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        try (var files = Files.walk(project.resolve("src"))) {
            for (Path file : files.toList()) {
                Files.setLastModifiedTime(file, old);
            }
        }
        Files.setLastModifiedTime(project.resolve("pom.xml"), old);
        Result second = run("bin/start", Map.of());
        assertThat(second.status()).as(second.output()).isZero();
        assertThat(second.output()).doesNotContain("mvn ran").contains("java ran: -XX:ThreadPriorityPolicy=1 -jar");
    }

    @Test
    @DisplayName("bin/start says that the build failed and how to see why, and does not start")
    void startSaysTheBuildFailed() throws Exception {
        tool("mvn", """
                #!/bin/sh
                echo "[ERROR] COMPILATION ERROR : Main.java:[1,1] class, interface, enum, or record expected"
                exit 1
                """);
        Result start = run("bin/start", Map.of());
        assertThat(start.status()).isEqualTo(1);
        assertThat(start.output()).contains("[ERROR] COMPILATION ERROR").contains("[bin/start] the build failed")
                .contains("mvn -B package -DskipTests").doesNotContain("java ran");
    }

    @Test
    @DisplayName("bin/start refuses a Java older than 17, and a JAVA_HOME without java, saying what to install")
    void startNeedsJava17() throws Exception {
        tool("java", """
                #!/bin/sh
                echo 'openjdk version "11.0.22" 2024-01-16' >&2
                """);
        Result java11 = run("bin/start", Map.of());
        assertThat(java11.status()).isEqualTo(1);
        assertThat(java11.output()).contains("Java 11; Mailtree needs Java 17 or newer").contains("openjdk-17-jdk");

        tool("java", """
                #!/bin/sh
                echo 'java version "1.8.0_402"' >&2
                """);
        assertThat(run("bin/start", Map.of()).output()).contains("Java 8; Mailtree needs Java 17 or newer");

        Result noJava = run("bin/start", Map.of("JAVA_HOME", sandbox.resolve("no-jdk").toString()));
        assertThat(noJava.status()).isEqualTo(1);
        assertThat(noJava.output()).contains("has no bin/java").contains("point JAVA_HOME at a Java 17");
    }

    @Test
    @DisplayName("bin/start names the command that failed when an unforeseen step fails")
    void startNamesAnUnforeseenFailure() throws Exception {
        Files.writeString(Files.createDirectories(project.resolve("target")).resolve("mailtree-0.1.0-SNAPSHOT.jar"), "");
        Files.move(project.resolve("src"), project.resolve("source-moved-away"));
        Result start = run("bin/start", Map.of());
        assertThat(start.status()).isNotZero();
        assertThat(start.output()).contains("[bin/start] stopped: `stale=$(find src pom.xml")
                .contains("bash -x bin/start").doesNotContain("java ran");
    }

    @Test
    @DisplayName("bin/test, not run as root, skips installing Chromium and the Japanese font with a message and still runs Maven")
    void testRunsWithoutRoot() throws Exception {
        tool("id", "#!/bin/sh\necho 1000\n");
        tool("pg_isready", "#!/bin/sh\nexit 0\n");
        tool("chromium", "#!/bin/sh\n");
        tool("chromedriver", "#!/bin/sh\n");
        tool("dpkg-query", "#!/bin/sh\nexit 1\n");
        tool("apt-get", "#!/bin/sh\necho \"apt-get ran: $*\"\n");
        tool("mvn", "#!/bin/sh\necho \"mvn ran: $*\"\n");
        Result test = run("bin/test", Map.of("MAILTREE_MVN_FLAGS", "-o"), "-Dit.test=NONE");
        assertThat(test.status()).as(test.output()).isZero();
        assertThat(test.output()).contains("missing fonts-ipafont-gothic, which only root can install")
                .contains("sudo apt-get install fonts-ipafont-gothic").doesNotContain("apt-get ran")
                .contains("mvn ran: -B -o verify -Dit.test=NONE");
    }

    @Test
    @DisplayName("bin/test, as root, installs the missing font beside Chromium; a failed install is reported and the tests still run")
    void testInstallsTheJapaneseFont() throws Exception {
        tool("id", "#!/bin/sh\necho 0\n");
        tool("pg_isready", "#!/bin/sh\nexit 0\n");
        tool("chromium", "#!/bin/sh\n");
        tool("chromedriver", "#!/bin/sh\n");
        tool("dpkg-query", "#!/bin/sh\nexit 1\n");
        tool("apt-get", "#!/bin/sh\necho \"apt-get ran: $*\" >&2\n");
        tool("mvn", "#!/bin/sh\necho \"mvn ran: $*\"\n");
        Result test = run("bin/test", Map.of());
        assertThat(test.status()).as(test.output()).isZero();
        assertThat(test.output()).contains("apt-get ran: update -qq")
                .contains("apt-get ran: install -y -qq fonts-ipafont-gothic").contains("mvn ran: -B verify");

        tool("apt-get", "#!/bin/sh\necho 'E: Unable to locate package' >&2\nexit 100\n");
        Result failedInstall = run("bin/test", Map.of());
        assertThat(failedInstall.status()).as(failedInstall.output()).isZero();
        assertThat(failedInstall.output()).contains("apt-get could not install").contains("mvn ran: -B verify");
    }

    @Test
    @DisplayName("README's first command is an executable script of the repository (the fresh-clone test runs it)")
    void readmesFirstCommandIsAScriptOfTheRepository() throws Exception {
        String command = FreshCloneStartIntegrationTests.firstCommandOf(REPOSITORY.resolve("README.md"));
        assertThat(command).isNotBlank();
        Path script = REPOSITORY.resolve(command.split("\\s+")[0]);
        assertThat(script).as("README's first command %s", command).isRegularFile().isExecutable();
    }

    private void tool(String name, String script) throws IOException {
        Path file = tools.resolve(name);
        Files.writeString(file, script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Result run(String script, Map<String, String> environment, String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(project.resolve(script).toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(sandbox.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("MAILTREE_") || key.equals("JAVA_HOME") || key.equals("JAVA_OPTS"));
        // The stand-ins come first; the real system commands (bash, find, dirname…) after them.
        env.put("PATH", tools + ":" + System.getenv("PATH"));
        env.putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finishes", script).isTrue();
        return new Result(process.exitValue(), output);
    }

    private record Result(int status, String output) {
    }
}
