package io.mailtree.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.shared.DomainProblem;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The renderer's bounds: output, loops, time, helpers and the compile cache. */
class TemplateLanguageTests {

    private final TemplateLanguage language = new TemplateLanguage();

    private static Map<String, Object> values(int count) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            values.put("v" + i, "x");
        }
        return values;
    }

    private static String code(Throwable thrown) {
        return ((DomainProblem) thrown).code();
    }

    @Test
    void placeholdersAreTheContactValuesATemplateReads() {
        assertThat(TemplateLanguage.placeholders(
                "Hi {{ contact.first_name }} {{{html_bio}}} {{default city \"Paris\"}} {{#if vip}}VIP{{else}}-{{/if}}"
                        + "{{#each orders}}{{number}} {{@index}} {{this}}{{/each}} {{lookup prefs \"colour\"}}"
                        + "{{! comment {{nothing}} }} {{~ last_name ~}} {{#with address}}{{street}}{{/with}} {{42}}"))
                .containsExactly("contact.first_name", "html_bio", "city", "vip", "orders", "prefs", "last_name",
                        "address");
        assertThat(TemplateLanguage.placeholders(null)).isEmpty();
        assertThat(TemplateLanguage.placeholders("no tags {{ unclosed")).isEmpty();
    }

    @Test
    void personalisesAsBefore() {
        Map<String, Object> contact = Map.of("first_name", "<b>Eve</b>", "vip", true, "city", " ");
        String html = language.render("<p>Hi {{first_name}}, {{default city \"your city\"}}{{#if vip}} VIP{{/if}}"
                + "{{#unless vip}} guest{{/unless}}{{#with this}} {{lookup this \"first_name\"}}{{/with}}</p>",
                TemplateLanguage.Part.HTML, contact);
        assertThat(html).isEqualTo("<p>Hi &lt;b&gt;Eve&lt;/b&gt;, your city VIP &lt;b&gt;Eve&lt;/b&gt;</p>");
        assertThat(language.render("Hi {{first_name}}", TemplateLanguage.Part.TEXT, contact)).isEqualTo("Hi <b>Eve</b>");
        assertThat(language.render("{{#each this}}{{@key}}={{this}};{{/each}}", TemplateLanguage.Part.TEXT,
                new LinkedHashMap<>(Map.of("a", 1)))).isEqualTo("a=1;");
    }

    @Test
    void refusesARenderedPartLargerThanItsLimit() {
        warmUp();
        String template = "{{x}}".repeat(5_000);
        Map<String, Object> values = Map.of("x", "y".repeat(1_000)); // would render 5 million characters
        long started = System.nanoTime();
        assertThatThrownBy(() -> language.render(template, TemplateLanguage.Part.TEXT, values))
                .isInstanceOf(DomainProblem.class).satisfies(e -> assertThat(code(e)).isEqualTo("rendered_too_large"));
        assertThatThrownBy(() -> language.render(template, TemplateLanguage.Part.HTML, values))
                .isInstanceOf(DomainProblem.class).satisfies(e -> assertThat(code(e)).isEqualTo("rendered_too_large"));
        assertThatThrownBy(() -> language.render("{{x}}{{x}}", TemplateLanguage.Part.SUBJECT, values))
                .satisfies(e -> assertThat(code(e)).isEqualTo("rendered_too_large"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void refusesA500KilobyteTemplateOfTagsBeforeParsingIt() {
        String template = "{{x}}".repeat(100_000);
        long started = System.nanoTime();
        assertThatThrownBy(() -> language.compile(template, TemplateLanguage.Part.HTML))
                .satisfies(e -> assertThat(code(e)).isEqualTo("template_too_complex"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void refusesBlocksNestedTooDeep() {
        String deep = "{{#if a}}".repeat(2_000) + "x" + "{{/if}}".repeat(2_000);
        assertThatThrownBy(() -> language.compile(deep, TemplateLanguage.Part.HTML))
                .satisfies(e -> assertThat(code(e)).isEqualTo("template_too_complex"));
        String fine = "{{#if a}}".repeat(20) + "x" + "{{/if}}".repeat(20);
        assertThat(language.render(fine, TemplateLanguage.Part.HTML, Map.of("a", true))).isEqualTo("x");
    }

    /** Loads and JIT-warms the parser, so the timed parts measure the render, not class loading. */
    private void warmUp() {
        language.render("{{#each this}}{{this}}{{/each}}", TemplateLanguage.Part.HTML, Map.of("a", "b"));
    }

    @Test
    void refusesLargeOutputBuiltInsideLoops() {
        // Inside a loop, each turn is built in memory before it reaches the output: counted there too.
        String template = "{{#each this}}" + "{{this}}".repeat(4_000) + "{{/each}}";
        Map<String, Object> values = Map.of("x", "y".repeat(1_000));
        assertThatThrownBy(() -> language.render(template, TemplateLanguage.Part.TEXT, values))
                .satisfies(e -> assertThat(code(e)).isEqualTo("rendered_too_large"));
    }

    @Test
    void refusesSevenNestedLoopsQuickly() {
        warmUp();
        // Nothing written: only the count of loop turns can stop it (20^7 turns, hours of CPU unbounded).
        String subject = "{{#each @root}}".repeat(7) + "{{/each}}".repeat(7);
        assertThat(subject.length()).isLessThan(300);
        long started = System.nanoTime();
        assertThatThrownBy(() -> language.render(subject, TemplateLanguage.Part.SUBJECT, values(20)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("template_too_complex"));
        // Lists given directly (as no API accepts) are bounded the same way.
        Map<String, Object> lists = Map.of("items", java.util.Collections.nCopies(1_000, "x"));
        assertThatThrownBy(() -> language.render("{{#each items}}{{#each ../items}}{{#each ../../items}}{{/each}}"
                + "{{/each}}{{/each}}", TemplateLanguage.Part.SUBJECT, lists))
                .satisfies(e -> assertThat(code(e)).isEqualTo("template_too_complex"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void refusesARenderThatOutlastsItsDeadline() {
        TemplateLanguage impatient = new TemplateLanguage(TemplateLanguage.DEFAULT_CACHE_WEIGHT, Duration.ZERO);
        assertThatThrownBy(() -> impatient.render("{{#each this}}{{this}}{{/each}}", TemplateLanguage.Part.HTML,
                values(10))).satisfies(e -> assertThat(code(e)).isEqualTo("template_too_complex"));
    }

    @Test
    void handlebarsBuiltInI18nAndLogHelpersAreNotReachable() {
        for (String source : List.of("{{i18n \"hello\"}}", "{{log \"written to the server log\"}}",
                "{{embedded \"x\"}}", "{{precompile \"x\"}}", "{{#*inline \"p\"}}x{{/inline}}", "{{> p}}",
                "{{#> p}}x{{/p}}", "{{* deco}}")) {
            assertThatThrownBy(() -> language.compile(source, TemplateLanguage.Part.HTML))
                    .as(source).isInstanceOf(DomainProblem.class)
                    .satisfies(e -> assertThat(code(e)).isEqualTo("template_syntax_error"));
        }
    }

    @Test
    void theCompileCacheIsBoundedBySizeNotEntries() {
        long limit = 1_000_000;
        TemplateLanguage bounded = new TemplateLanguage(limit, TemplateLanguage.MAX_RENDER_TIME);
        for (int i = 0; i < 50; i++) {
            // 50 distinct sources of about 100 KB each: 5 MB in all, ten times the limit.
            bounded.compile("<p>" + i + "</p>" + "a".repeat(100_000) + "{{x}}", TemplateLanguage.Part.HTML);
            assertThat(bounded.cachedWeight()).isLessThanOrEqualTo(limit);
        }
        assertThat(bounded.cachedWeight()).isGreaterThan(limit / 2);
        // A source heavier than the whole cache is compiled, not kept.
        bounded.compile("{{x}}".repeat(4_000), TemplateLanguage.Part.TEXT);
        assertThat(bounded.cachedWeight()).isLessThanOrEqualTo(limit);
    }
}
