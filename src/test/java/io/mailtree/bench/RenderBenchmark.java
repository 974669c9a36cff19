package io.mailtree.bench;

import com.github.jknack.handlebars.Template;
import io.mailtree.content.TemplateLanguage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Personalised rendering: one ~50 KB HTML e-mail (a layout with a header, 40 content rows and about
 * ten personalisation points) rendered for 100,000 distinct contacts in turn, in one thread, with the
 * production renderer ({@link TemplateLanguage}, compiled once as a send would). Not a unit test (the
 * name does not end in {@code Tests}, so Surefire skips it): run it with {@code bench/render.sh}.
 *
 * <p>{@code renderOneEmail} gives renders per second of one core; {@code renderOneEmailTime} measures the
 * same work as nanoseconds per render.
 */
@State(Scope.Thread)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RenderBenchmark {

    /** Size of the template source in bytes (ASCII, so also characters): 50 KB. */
    @Param("51200")
    public int templateBytes;

    /** Distinct contacts, cycled through one per render. */
    @Param("100000")
    public int contacts;

    private static final int ROWS = 40;

    private static final String[] FIRST = {"Anna", "Ben", "Chloé", "Dmitri", "Eve", "Farah", "Giulia", "Hiro",
            "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven",
            "Tomás", "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zoë"};
    private static final String[] LAST = {"O'Brien", "Müller", "Smith", "García", "Nguyen", "Kowalski", "Rossi",
            "Dubois", "Andersson", "Tanaka", "Okafor", "Silva", "Cohen", "Johnson & Sons", "Novak", "Petrov"};
    private static final String[] CITY = {"Berlin", "Lisbon", "Lyon", "Kraków", "Austin", "Osaka", "Nairobi",
            "São Paulo", "Toronto", "Melbourne"};
    private static final String[] COMPANY = {"Acme <Labs>", "Globex", "Initech", "Umbrella", "Stark & Co",
            "Wayne Enterprises", "Hooli", "Vandelay"};
    private static final String[] PLAN = {"Starter", "Growth", "Scale"};
    private static final String[] WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
            + "tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation "
            + "ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate "
            + "velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa "
            + "qui officia deserunt mollit anim id est laborum").split(" ");

    private TemplateLanguage language;
    private Template template;
    private Map<String, Object>[] values;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        language = new TemplateLanguage();
        String source = layout(templateBytes);
        template = language.compile(source, TemplateLanguage.Part.HTML);
        values = contacts(contacts);
        next = 0;

        Map<String, Object> vipContact = first(true);
        Map<String, Object> otherContact = first(false);
        String vip = language.render(template, vipContact);
        String plain = language.render(template, otherContact);
        if (!vip.contains("As a VIP") || plain.contains("As a VIP") || plain.contains("{{")
                || !plain.contains(otherContact.get("email").toString())) {
            throw new IllegalStateException("the template did not personalise as expected");
        }
        System.out.printf("%ntemplate: %,d bytes, %d personalisation tags; rendered e-mail: %,d bytes; contacts: %,d%n",
                source.getBytes(StandardCharsets.UTF_8).length, tags(source),
                plain.getBytes(StandardCharsets.UTF_8).length, values.length);
    }

    /** One personalised e-mail for the next contact: renders per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public String renderOneEmail() {
        return renderNext();
    }

    /** The same work timed per render, in nanoseconds. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public String renderOneEmailTime() {
        return renderNext();
    }

    private String renderNext() {
        Map<String, Object> contact = values[next];
        if (++next == values.length) {
            next = 0;
        }
        return language.render(template, contact);
    }

    /** Opening tags such as {@code {{first_name}}} or {@code {{#if vip}}}: not {@code {{/if}}} or {@code {{else}}}. */
    private static int tags(String source) {
        int count = 0;
        for (int at = source.indexOf("{{"); at >= 0; at = source.indexOf("{{", at + 2)) {
            if (!source.startsWith("{{/", at) && !source.startsWith("{{else", at)) {
                count++;
            }
        }
        return count;
    }

    private Map<String, Object> first(boolean vip) {
        for (Map<String, Object> contact : values) {
            if (contact.get("vip").equals(vip)) {
                return contact;
            }
        }
        throw new IllegalStateException("no contact with vip=" + vip);
    }

    /** Like {@code Emails.preview}: the contact's properties, then email and name. */
    @SuppressWarnings("unchecked")
    static Map<String, Object>[] contacts(int count) {
        Random random = new Random(42);
        Map<String, Object>[] all = new Map[count];
        for (int i = 0; i < count; i++) {
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("first_name", first);
            values.put("last_name", last);
            int city = random.nextInt(10);
            if (city < 7) {
                values.put("city", CITY[random.nextInt(CITY.length)]);
            } else if (city == 7) {
                values.put("city", " "); // blank: the default applies
            } // else missing: the default applies
            values.put("company", COMPANY[random.nextInt(COMPANY.length)]);
            if (random.nextInt(4) > 0) {
                values.put("plan", PLAN[random.nextInt(PLAN.length)]);
            }
            values.put("vip", random.nextInt(10) == 0);
            values.put("customer_id", 1_000_000L + i);
            values.put("email", ascii(first) + "." + ascii(last) + "." + i + "@example.com");
            values.put("name", first + " " + last);
            all[i] = values;
        }
        return all;
    }

    private static String ascii(String name) {
        return java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD).replaceAll("[^A-Za-z]", "")
                .toLowerCase();
    }

    /** A table-based newsletter layout whose source is {@code bytes} long (to within a few bytes). */
    static String layout(int bytes) {
        String skeleton = layout(new String[ROWS]);
        int perRow = Math.max(0, (bytes - skeleton.length()) / ROWS);
        Random random = new Random(7);
        String[] fill = new String[ROWS];
        for (int r = 0; r < ROWS; r++) {
            fill[r] = lorem(random, perRow);
        }
        String source = layout(fill);
        int missing = bytes - source.length();
        if (missing > 0) {
            fill[ROWS - 1] = fill[ROWS - 1] + "x".repeat(missing);
            source = layout(fill);
        }
        return source;
    }

    private static String layout(String[] fill) {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>{{first_name}}, your monthly update</title>
                <style>
                body{margin:0;padding:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:#222}
                table{border-collapse:collapse}td{vertical-align:top}.wrap{width:100%;background:#f4f5f7}
                .main{width:640px;margin:0 auto;background:#fff}.hdr{background:#0b3d91;color:#fff;padding:24px}
                .row td{padding:12px 24px;font-size:15px;line-height:22px}.row h3{margin:0 0 6px;font-size:17px}
                .vip{background:#fff7e0;border:1px solid #f0c040;padding:12px}.ftr{font-size:12px;color:#777;padding:24px}
                a{color:#0b3d91}@media (max-width:660px){.main{width:100%!important}}
                </style></head>
                <body><table class="wrap" role="presentation"><tr><td>
                <div style="display:none;max-height:0;overflow:hidden">Hi {{default first_name "there"}}, here is what is new this month.</div>
                <table class="main" role="presentation">
                <tr><td class="hdr"><img src="https://cdn.mailtree.example/logo.png" width="140" height="32" alt="Mailtree">
                <h1 style="margin:16px 0 0;font-size:24px">Your monthly update</h1></td></tr>
                <tr class="row"><td><p>Dear {{first_name}} {{last_name}},</p></td></tr>
                """);
        for (int r = 0; r < ROWS; r++) {
            html.append("<tr class=\"row\"><td><h3>Section ").append(r + 1).append("</h3><p>");
            if (r == 4) {
                html.append("Events near {{default city \"your city\"}}: ");
            } else if (r == 12) {
                html.append("{{#if vip}}<div class=\"vip\">As a VIP, {{first_name}}, you get early access.</div>"
                        + "{{else}}<div>Upgrade to VIP for early access.</div>{{/if}}");
            } else if (r == 20) {
                html.append("News for the team at {{company}}: ");
            } else if (r == 30) {
                html.append("Your plan: {{default plan \"Free\"}}. ");
            }
            html.append(fill[r] == null ? "" : fill[r]).append("</p></td></tr>\n");
        }
        html.append("""
                <tr><td class="ftr">This message was sent to {{email}}{{#if vip}} (VIP member){{/if}}.
                <a href="https://mailtree.example/u/{{customer_id}}">Unsubscribe</a> |
                <a href="https://mailtree.example/p/{{customer_id}}">Preferences</a><br>
                Mailtree, 1 Example Street, Berlin</td></tr>
                </table></td></tr></table></body></html>
                """);
        return html.toString();
    }

    private static String lorem(Random random, int length) {
        StringBuilder text = new StringBuilder(length + 16);
        boolean sentence = true;
        while (text.length() < length) {
            String word = WORDS[random.nextInt(WORDS.length)];
            if (sentence) {
                word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                sentence = false;
            }
            text.append(word);
            if (random.nextInt(12) == 0) {
                text.append('.');
                sentence = true;
            }
            text.append(' ');
        }
        text.setLength(length);
        return text.toString();
    }
}
