package io.mailtree;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The project's own references stay true: every rule id the code cites is explained in
 * {@code docs/rules.md}, the tests that file names exist, the documents' links lead somewhere, and no
 * file cites a document that is not in the repository.
 */
class DocumentationReferencesTests {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern RULE_HEADING = Pattern.compile("^### D-(\\d+) ", Pattern.MULTILINE);
    private static final Pattern CITED_RULE = Pattern.compile("\\bD-(\\d{1,2})\\b");
    private static final Pattern TEST_REFERENCE = Pattern.compile("`([A-Z][A-Za-z0-9]*Tests)?\\.([a-z][A-Za-z0-9_]*)`");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)");

    @Test
    @DisplayName("docs/rules.md explains D-1 … D-32, each once, and every rule id cited in src is among them")
    void everyCitedRuleIsExplained() throws IOException {
        String rules = Files.readString(ROOT.resolve("docs/rules.md"));
        List<Integer> headings = new ArrayList<>();
        Matcher heading = RULE_HEADING.matcher(rules);
        while (heading.find()) {
            headings.add(Integer.parseInt(heading.group(1)));
        }
        assertThat(headings).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.rangeClosed(1, 32).boxed().toList());

        Set<String> unexplained = new TreeSet<>();
        for (Path file : files("src", ".java", ".html", ".sql", ".properties")) {
            Matcher cited = CITED_RULE.matcher(Files.readString(file));
            while (cited.find()) {
                if (!headings.contains(Integer.parseInt(cited.group(1)))) {
                    unexplained.add(ROOT.relativize(file) + ": D-" + cited.group(1));
                }
            }
        }
        assertThat(unexplained).as("rule ids cited but not in docs/rules.md").isEmpty();
    }

    @Test
    @DisplayName("every test docs/rules.md names (Class.method, or .method after its class) exists")
    void everyNamedTestExists() throws IOException {
        String rules = Files.readString(ROOT.resolve("docs/rules.md"));
        List<String> missing = new ArrayList<>();
        String testClass = null;
        Matcher reference = TEST_REFERENCE.matcher(rules);
        while (reference.find()) {
            if (reference.group(1) != null) {
                testClass = reference.group(1);
            }
            String method = reference.group(2);
            Path source = testSource(testClass);
            if (source == null) {
                missing.add(testClass + " (no such test class)");
            } else if (!Pattern.compile("void\\s+" + Pattern.quote(method) + "\\s*\\(").matcher(Files.readString(source))
                    .find()) {
                missing.add(testClass + "." + method);
            }
        }
        assertThat(missing).as("tests named in docs/rules.md that do not exist").isEmpty();
    }

    @Test
    @DisplayName("relative links in README.md and docs/ lead to files of the repository")
    void linksLeadToFiles() throws IOException {
        List<Path> documents = new ArrayList<>(files("docs", ".md"));
        documents.add(ROOT.resolve("README.md"));
        List<String> broken = new ArrayList<>();
        for (Path document : documents) {
            Matcher link = LINK.matcher(Files.readString(document));
            while (link.find()) {
                if (!Files.exists(document.getParent().resolve(link.group(1)).normalize())) {
                    broken.add(ROOT.relativize(document) + " → " + link.group(1));
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    @DisplayName("no file cites the domain or design documents of the project's origin, which are not in the repository")
    void noReferenceToDocumentsOutsideTheRepository() throws IOException {
        List<Path> files = new ArrayList<>(files("src", ".java", ".html", ".properties", ".yml", ".sql"));
        files.addAll(files("docs", ".md"));
        files.addAll(files("bench", ".md", ".sh", ".java"));
        files.add(ROOT.resolve("README.md"));
        List<String> outside = new ArrayList<>();
        for (Path file : files) {
            String text = Files.readString(file);
            for (String document : List.of("DOMAIN.md", "DESIGN.md", "seeds/")) {
                if (text.contains(document) && !file.endsWith("DocumentationReferencesTests.java")) {
                    outside.add(ROOT.relativize(file) + " cites " + document);
                }
            }
        }
        assertThat(outside).isEmpty();
    }

    private static Path testSource(String testClass) throws IOException {
        if (testClass == null) {
            return null;
        }
        return files("src/test/java", ".java").stream().filter(p -> p.getFileName().toString().equals(testClass + ".java"))
                .findFirst().orElse(null);
    }

    private static List<Path> files(String under, String... endings) throws IOException {
        Path directory = ROOT.resolve(under);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(endings).anyMatch(e -> p.getFileName().toString().endsWith(e))).toList();
        }
    }
}
