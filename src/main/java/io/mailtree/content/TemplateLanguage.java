package io.mailtree.content;

import com.github.jknack.handlebars.Context;
import com.github.jknack.handlebars.Decorator;
import com.github.jknack.handlebars.EscapingStrategy;
import com.github.jknack.handlebars.Formatter;
import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.HandlebarsError;
import com.github.jknack.handlebars.HandlebarsException;
import com.github.jknack.handlebars.Helper;
import com.github.jknack.handlebars.HelperRegistry;
import com.github.jknack.handlebars.Options;
import com.github.jknack.handlebars.Template;
import com.github.jknack.handlebars.context.MapValueResolver;
import com.github.jknack.handlebars.helper.IfHelper;
import com.github.jknack.handlebars.helper.LookupHelper;
import com.github.jknack.handlebars.helper.UnlessHelper;
import com.github.jknack.handlebars.helper.WithHelper;
import com.github.jknack.handlebars.io.TemplateLoader;
import com.github.jknack.handlebars.io.TemplateSource;
import io.mailtree.shared.DomainProblem;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Personalisation with Handlebars: {@code {{first_name}}}, {@code {{default first_name "friend"}}},
 * {@code {{#if vip}}…{{/if}}}. Logic-light and safe: values come only from the contact's map (no
 * method calls on Java objects), partials cannot load files, HTML parts escape values and text
 * parts do not. A syntax error is reported with its line and column.
 *
 * <p>Templates and values may come from anyone with an API key, so a render is bounded: only the
 * helpers {@code if}, {@code unless}, {@code each}, {@code with}, {@code lookup} and {@code default}
 * exist (Handlebars' {@code i18n}, {@code log}, {@code embedded}, {@code precompile}, partial blocks
 * and inline partials are not reachable); a template has at most {@link #MAX_TAGS} tags; the
 * rendered part has at most {@link #MAX_RENDERED_BODY} characters ({@link #MAX_RENDERED_SUBJECT}
 * for a subject), refused with {@code rendered_too_large};
 * loops, value writes and time are counted, and a render over {@link #MAX_ITERATIONS} loop turns,
 * {@link #MAX_STEPS} steps or its deadline is refused with {@code template_too_complex}. The caches
 * of compiled templates are bounded by the size of what they hold, not by their number of entries.
 */
@Component
public class TemplateLanguage {

    /** Longest rendered HTML or text part, in characters (a few MB once encoded). */
    public static final int MAX_RENDERED_BODY = 3_000_000;
    /** Longest rendered subject, in characters: far above the 300 a message may have, far below a body. */
    public static final int MAX_RENDERED_SUBJECT = 1_000;
    /** Turns of {@code #each} loops in one render, nested loops counting every inner turn. */
    public static final int MAX_ITERATIONS = 10_000;
    /** Loop turns plus values written in one render. */
    public static final int MAX_STEPS = 500_000;
    /**
     * Wall-clock time one part may take to render; a normal e-mail takes well under a millisecond. A
     * backstop: the other limits already bound the work to about a second of a loaded core.
     */
    public static final Duration MAX_RENDER_TIME = Duration.ofSeconds(3);
    /** What the compile cache may hold, as the estimated size of its templates (see {@link #weightOf}). */
    public static final long DEFAULT_CACHE_WEIGHT = 32L * 1024 * 1024;

    /** The only helpers a template can call; see the class comment. */
    static final Set<String> HELPERS = Set.of("if", "unless", "each", "with", "lookup", "default");

    private static final ThreadLocal<Budget> BUDGET = new ThreadLocal<>();
    /** Tags in one template: a newsletter has tens; parsing costs grow with them, about a second per 10,000 here. */
    public static final int MAX_TAGS = 5_000;
    /** Blocks inside blocks: each level is a few stack frames more, in the parser and in the render. */
    public static final int MAX_DEPTH = 50;
    private static final Pattern BLOCK_TAG = Pattern.compile("\\{\\{~?\\s*([#^/])");
    /** A partial ({@code {{> name}}}, {@code {{#> name}}}): there is nothing a template could include. */
    private static final Pattern PARTIAL = Pattern.compile("\\{\\{~?#?\\s*>");
    /** A decorator ({@code {{* name}}}, {@code {{#* inline}}}): none is registered. */
    private static final Pattern DECORATOR = Pattern.compile("\\{\\{~?#?\\s*\\*");

    private final Handlebars html = configure(new Handlebars(new NoFiles()));
    private final Handlebars text = configure(new Handlebars(new NoFiles()).with(EscapingStrategy.NOOP));
    private final CompiledTemplates cache;
    private final Duration maxRenderTime;

    /** Which part is being compiled: HTML escapes values, text does not. */
    public enum Part {
        HTML, TEXT, SUBJECT;

        int maxRendered() {
            return this == SUBJECT ? MAX_RENDERED_SUBJECT : MAX_RENDERED_BODY;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public TemplateLanguage() {
        this(DEFAULT_CACHE_WEIGHT, MAX_RENDER_TIME);
    }

    TemplateLanguage(long cacheWeight, Duration maxRenderTime) {
        this.cache = new CompiledTemplates(cacheWeight);
        this.maxRenderTime = maxRenderTime;
    }

    private static Handlebars configure(Handlebars handlebars) {
        AllowedHelpers helpers = new AllowedHelpers();
        helpers.registerHelper("if", IfHelper.INSTANCE);
        helpers.registerHelper("unless", UnlessHelper.INSTANCE);
        helpers.registerHelper("with", WithHelper.INSTANCE);
        helpers.registerHelper("lookup", LookupHelper.INSTANCE);
        helpers.registerHelper("each", new BoundedEach());
        helpers.registerHelper("default", (value, options) -> {
            boolean missing = value == null || value instanceof CharSequence chars && chars.toString().isBlank();
            return missing ? options.param(0, "") : value;
        });
        // Every value a variable or helper writes passes the formatters, inside loops too: the place to
        // count what a render produces before it piles up in the loops' buffers.
        handlebars.with(helpers).with(new Formatter() {
            @Override
            public Object format(Object value, Formatter.Chain next) {
                Object formatted = next.format(value);
                Budget budget = BUDGET.get();
                if (budget != null) {
                    budget.produced(formatted instanceof CharSequence chars ? chars.length() : 16);
                }
                return formatted;
            }
        });
        return handlebars.prettyPrint(false).infiniteLoops(false);
    }

    /**
     * Compiles a source, answering the compiled template or refusing with
     * {@code template_syntax_error} and the line and column.
     */
    public Template compile(String source, Part part) {
        String body = source == null ? "" : source;
        boolean escaped = part == Part.HTML;
        Template cached = cache.get(escaped, body);
        if (cached != null) {
            return cached;
        }
        if (PARTIAL.matcher(body).find()) {
            throw syntaxError(part, 0, 0, "partials are not supported: a template can only use what it contains");
        }
        if (DECORATOR.matcher(body).find()) {
            throw syntaxError(part, 0, 0, "decorators such as inline partials are not supported");
        }
        if (tags(body) > MAX_TAGS) {
            throw tooComplex(part, "more than " + MAX_TAGS + " tags");
        }
        if (depth(body) > MAX_DEPTH) {
            throw tooComplex(part, "blocks are nested more than " + MAX_DEPTH + " deep");
        }
        try {
            Template template = (escaped ? html : text).compileInline(body);
            cache.put(escaped, body, template);
            return template;
        } catch (HandlebarsException syntax) {
            HandlebarsError error = syntax.getError();
            throw syntaxError(part, error == null ? 0 : error.line, error == null ? 0 : error.column,
                    error == null ? syntax.getMessage() : error.reason);
        } catch (StackOverflowError tooDeep) {
            throw tooComplex(part, "blocks are nested too deeply");
        } catch (IOException | RuntimeException unreadable) {
            throw DomainProblem.invalid("template_syntax_error", part.label() + ": " + unreadable.getMessage(),
                    part.label(), 0, 0, String.valueOf(unreadable.getMessage()));
        }
    }

    private static DomainProblem syntaxError(Part part, int line, int column, String reason) {
        return DomainProblem.invalid("template_syntax_error", part.label() + " line " + line + ", column " + column
                + ": " + reason, part.label(), line, column, reason)
                .with("part", part.label()).with("line", line).with("column", column);
    }

    private static final Pattern TOKEN = Pattern.compile("\"[^\"]*\"|'[^']*'|\\S+");
    private static final Set<String> LITERALS = Set.of("true", "false", "null", "undefined", "this", "else");

    /**
     * The values a template reads from the contact, as written ({@code first_name},
     * {@code contact.first_name}), in order of appearance: plain tags, the arguments of
     * {@code if}, {@code unless}, {@code default}, {@code lookup} and of the block that opens an
     * {@code each} or a {@code with}. Names inside an {@code each} or a {@code with} are the item's,
     * not the contact's, and are left out, as are literals, {@code this}, {@code @index} and
     * comments. A lexical scan, not a parse: it reports; the compiler still judges the syntax.
     */
    public static Set<String> placeholders(String source) {
        Set<String> names = new java.util.LinkedHashSet<>();
        if (source == null) {
            return names;
        }
        java.util.Deque<Boolean> scopes = new java.util.ArrayDeque<>();
        int scoped = 0;
        int at = 0;
        while ((at = source.indexOf("{{", at)) >= 0) {
            int end = source.indexOf("}}", at + 2);
            if (end < 0) {
                break;
            }
            String tag = source.substring(at + 2, end).replaceAll("^[{~\\s]+|[}~\\s]+$", "");
            at = end + 2;
            if (tag.isEmpty() || tag.startsWith("!") || tag.startsWith(">") || tag.startsWith("*")) {
                continue;
            }
            char first = tag.charAt(0);
            if (first == '/') {
                if (!scopes.isEmpty() && scopes.pop()) {
                    scoped--;
                }
                continue;
            }
            java.util.List<String> tokens = new java.util.ArrayList<>();
            java.util.regex.Matcher matcher = TOKEN.matcher(first == '#' || first == '^' ? tag.substring(1) : tag);
            while (matcher.find()) {
                tokens.add(matcher.group());
            }
            if (tokens.isEmpty() || tokens.get(0).equals("else")) {
                continue;
            }
            String head = tokens.get(0);
            boolean helper = HELPERS.contains(head);
            if (scoped == 0) {
                for (String token : helper ? tokens.subList(1, tokens.size()) : tokens.subList(0, 1)) {
                    if (isReference(token)) {
                        names.add(token);
                    }
                }
            }
            if (first == '#' || first == '^') {
                boolean opensScope = head.equals("each") || head.equals("with") || !helper;
                scopes.push(opensScope);
                if (opensScope) {
                    scoped++;
                }
            }
        }
        return names;
    }

    private static boolean isReference(String token) {
        if (token.isEmpty() || LITERALS.contains(token) || token.contains("=") || token.contains("(")
                || token.contains(")")) {
            return false;
        }
        char first = token.charAt(0);
        return first != '"' && first != '\'' && first != '@' && first != '.' && !Character.isDigit(first)
                && first != '-' && !token.startsWith("this.");
    }

    /** Checks every part, refusing the first syntax error. */
    public void check(String subject, String htmlBody, String textBody) {
        compile(subject, Part.SUBJECT);
        compile(htmlBody, Part.HTML);
        compile(textBody, Part.TEXT);
    }

    /**
     * Renders a compiled body template (HTML or text) with a contact's values, within the limits of
     * the class comment.
     */
    public String render(Template template, Map<String, Object> values) {
        return render(template, Part.HTML, values);
    }

    /**
     * Renders a compiled template of {@code part} with a contact's values.
     *
     * @throws DomainProblem {@code rendered_too_large}, {@code template_too_complex} or
     *                       {@code template_render_error}; nothing is half-rendered
     */
    public String render(Template template, Part part, Map<String, Object> values) {
        Budget budget = new Budget(part, System.nanoTime() + maxRenderTime.toNanos());
        BoundedWriter out = new BoundedWriter(budget);
        Budget outer = BUDGET.get();
        BUDGET.set(budget);
        Context context = Context.newBuilder(values == null ? Map.of() : values).resolver(MapValueResolver.INSTANCE)
                .build();
        try {
            template.apply(context, out);
            return out.toString();
        } catch (HandlebarsException | IOException failed) {
            for (Throwable cause = failed; cause != null; cause = cause.getCause()) {
                if (cause instanceof DomainProblem limit) {
                    throw limit;
                }
            }
            throw DomainProblem.invalid("template_render_error", part.label() + ": " + failed.getMessage(),
                    part.label(), String.valueOf(failed.getMessage())).with("part", part.label());
        } catch (StackOverflowError tooDeep) {
            throw tooComplex(part, "blocks are nested too deeply");
        } finally {
            context.destroy();
            if (outer == null) {
                BUDGET.remove();
            } else {
                BUDGET.set(outer);
            }
        }
    }

    public String render(String source, Part part, Map<String, Object> values) {
        return render(compile(source, part), part, values);
    }

    /** How much the compile cache holds now, in the units of {@link #DEFAULT_CACHE_WEIGHT}. */
    long cachedWeight() {
        return cache.weight();
    }

    /**
     * A compiled template's estimated size: its source, plus an allowance per tag (a compiled tag is
     * a tree of objects, much larger than the few characters of {@code {{x}}}).
     */
    static long weightOf(String source) {
        return source.length() + 256L * tags(source);
    }

    /** How deep block tags nest, read from their opening and closing marks alone. */
    private static int depth(String source) {
        int depth = 0;
        int deepest = 0;
        java.util.regex.Matcher block = BLOCK_TAG.matcher(source);
        while (block.find()) {
            depth += block.group(1).equals("/") ? -1 : 1;
            deepest = Math.max(deepest, depth);
        }
        return deepest;
    }

    private static int tags(String source) {
        int tags = 0;
        for (int at = source.indexOf("{{"); at >= 0; at = source.indexOf("{{", at + 2)) {
            tags++;
        }
        return tags;
    }

    private static DomainProblem tooLarge(Part part) {
        return DomainProblem.invalid("rendered_too_large", "the rendered " + part.label() + " would have more than "
                + part.maxRendered() + " characters", part.label(), part.maxRendered())
                .with("part", part.label()).with("limit", part.maxRendered());
    }

    private static DomainProblem tooComplex(Part part, String reason) {
        return DomainProblem.invalid("template_too_complex", "the " + part.label() + " takes too much work to render: "
                + reason, part.label(), reason).with("part", part.label());
    }

    /**
     * What one render may still do. Loops build each turn's output in memory before appending it, so
     * besides the final output, everything produced inside loops is counted too (nested loops count it
     * once per level: generous, and bounded).
     */
    private static final class Budget {

        private final Part part;
        private final long deadline;
        private final long maxProduced;
        private long produced;
        private int iterations;
        private int steps;

        Budget(Part part, long deadline) {
            this.part = part;
            this.deadline = deadline;
            this.maxProduced = 2L * part.maxRendered();
        }

        void iteration() {
            if (++iterations > MAX_ITERATIONS) {
                throw tooComplex(part, "more than " + MAX_ITERATIONS + " loop turns");
            }
            step();
        }

        void produced(long chars) {
            produced += chars;
            if (produced > maxProduced) {
                throw tooLarge(part);
            }
            step();
        }

        void written(long total) {
            if (total > part.maxRendered()) {
                throw tooLarge(part);
            }
            checkTime();
        }

        private void step() {
            if (++steps > MAX_STEPS) {
                throw tooComplex(part, "more than " + MAX_STEPS + " steps");
            }
            checkTime();
        }

        private void checkTime() {
            if (System.nanoTime() - deadline > 0) {
                throw tooComplex(part, "it takes longer than the time allowed");
            }
        }
    }

    /** The render's output: refuses to grow past the part's limit. */
    private static final class BoundedWriter extends Writer {

        private final StringBuilder text = new StringBuilder(1024);
        private final Budget budget;

        BoundedWriter(Budget budget) {
            this.budget = budget;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            budget.written((long) text.length() + length);
            text.append(chars, offset, length);
        }

        @Override
        public void write(String string, int offset, int length) {
            budget.written((long) text.length() + length);
            text.append(string, offset, offset + length);
        }

        @Override
        public Writer append(CharSequence chars) {
            CharSequence value = chars == null ? "null" : chars;
            budget.written((long) text.length() + value.length());
            text.append(value);
            return this;
        }

        @Override
        public void write(int c) {
            budget.written(text.length() + 1L);
            text.append((char) c);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /**
     * Handlebars' {@code each}, counted: every turn takes from the render's budget, and so does what
     * the turn produced, before it is appended.
     */
    private static final class BoundedEach implements Helper<Object> {

        @Override
        public Object apply(Object items, Options options) throws IOException {
            Budget budget = BUDGET.get();
            Options.Buffer buffer = options.buffer();
            Context parent = options.context;
            int index = 0;
            if (items instanceof Iterable<?> iterable) {
                Iterator<?> loop = iterable.iterator();
                while (loop.hasNext()) {
                    Object item = loop.next();
                    count(budget);
                    Context turn = Context.newBuilder(parent, item).combine("@key", index).combine("@index", index)
                            .combine("@first", index == 0 ? "first" : "").combine("@last", loop.hasNext() ? "" : "last")
                            .combine("@odd", index % 2 == 0 ? "" : "odd").combine("@even", index % 2 == 0 ? "even" : "")
                            .combine("@index_1", index + 1).build();
                    append(budget, buffer, options.apply(options.fn, turn, Arrays.asList(item, index)));
                    index++;
                }
            } else if (items != null) {
                Iterator<Map.Entry<String, Object>> loop = options.propertySet(items).iterator();
                while (loop.hasNext()) {
                    Map.Entry<String, Object> entry = loop.next();
                    count(budget);
                    Context turn = Context.newBuilder(parent, entry.getValue()).combine("@key", entry.getKey())
                            .combine("@index", index).combine("@first", index == 0 ? "first" : "")
                            .combine("@last", loop.hasNext() ? "" : "last").build();
                    append(budget, buffer, options.apply(options.fn, turn, Arrays.asList(entry.getValue(), entry.getKey())));
                    index++;
                }
            } else {
                return options.inverse();
            }
            if (index == 0) {
                buffer.append(options.inverse());
            }
            return buffer;
        }

        private static void count(Budget budget) {
            if (budget != null) {
                budget.iteration();
            }
        }

        private static void append(Budget budget, Options.Buffer buffer, CharSequence turn) throws IOException {
            if (budget != null) {
                budget.produced(turn.length());
            }
            buffer.append(turn);
        }
    }

    /**
     * The helpers a template may call, and nothing else: Handlebars' default registry brings
     * {@code i18n} (reads the application's message bundles), {@code log} (writes to the server log),
     * file-loading helpers and the inline-partial decorator, none of which a template needs.
     */
    private static final class AllowedHelpers implements HelperRegistry {

        private final Map<String, Helper<?>> helpers = new LinkedHashMap<>();

        @SuppressWarnings("unchecked")
        @Override
        public <C> Helper<C> helper(String name) {
            return (Helper<C>) helpers.get(name);
        }

        @Override
        public Set<Map.Entry<String, Helper<?>>> helpers() {
            return java.util.Collections.unmodifiableMap(helpers).entrySet();
        }

        @Override
        public <H> HelperRegistry registerHelper(String name, Helper<H> helper) {
            if (!HELPERS.contains(name)) {
                throw new IllegalArgumentException("not an allowed helper: " + name);
            }
            helpers.put(name, helper);
            return this;
        }

        @Override
        public <H> HelperRegistry registerHelperMissing(Helper<H> helper) {
            throw new UnsupportedOperationException("unknown helpers are syntax errors");
        }

        @Override
        public HelperRegistry registerHelpers(Object helperSource) {
            throw new UnsupportedOperationException("helpers are registered one by one");
        }

        @Override
        public HelperRegistry registerHelpers(Class<?> helperSource) {
            throw new UnsupportedOperationException("helpers are registered one by one");
        }

        @Override
        public HelperRegistry registerHelpers(URI location) {
            throw new UnsupportedOperationException("helpers are registered one by one");
        }

        @Override
        public HelperRegistry registerHelpers(File input) {
            throw new UnsupportedOperationException("helpers are registered one by one");
        }

        @Override
        public HelperRegistry registerHelpers(String filename, Reader source) {
            throw new UnsupportedOperationException("helpers are registered one by one");
        }

        @Override
        public HelperRegistry registerHelpers(String filename, InputStream source) {
            throw new UnsupportedOperationException("helpers are registered one by one");
        }

        @Override
        public HelperRegistry registerHelpers(String filename, String source) {
            throw new UnsupportedOperationException("helpers are registered one by one");
        }

        @Override
        public Decorator decorator(String name) {
            return null;
        }

        @Override
        public HelperRegistry registerDecorator(String name, Decorator decorator) {
            throw new UnsupportedOperationException("templates have no decorators");
        }

        @Override
        public HelperRegistry setCharset(Charset charset) {
            return this;
        }
    }

    /**
     * Compiled templates by source, least recently used evicted first once their total weight passes
     * the limit: a few large sources cannot pin gigabytes, and many small ones stay cached.
     */
    private static final class CompiledTemplates {

        private record Key(boolean escaped, String source) {
        }

        private final long maxWeight;
        private final LinkedHashMap<Key, Template> entries = new LinkedHashMap<>(64, 0.75f, true);
        private long weight;

        CompiledTemplates(long maxWeight) {
            this.maxWeight = maxWeight;
        }

        synchronized Template get(boolean escaped, String source) {
            return entries.get(new Key(escaped, source));
        }

        synchronized void put(boolean escaped, String source, Template template) {
            long added = weightOf(source);
            if (added > maxWeight) {
                return;
            }
            Key key = new Key(escaped, source);
            if (entries.put(key, template) == null) {
                weight += added;
            }
            Iterator<Key> eldest = entries.keySet().iterator();
            while (weight > maxWeight && eldest.hasNext()) {
                Key evicted = eldest.next();
                eldest.remove();
                weight -= weightOf(evicted.source());
            }
        }

        synchronized long weight() {
            return weight;
        }
    }

    /** Partials and other file loads are refused: a template can only use what it contains. */
    private static final class NoFiles implements TemplateLoader {

        @Override
        public TemplateSource sourceAt(String location) throws IOException {
            throw new IOException("templates cannot include other files");
        }

        @Override
        public String resolve(String location) {
            return location;
        }

        @Override
        public String getPrefix() {
            return "";
        }

        @Override
        public String getSuffix() {
            return "";
        }

        @Override
        public void setPrefix(String prefix) {
        }

        @Override
        public void setSuffix(String suffix) {
        }

        @Override
        public void setCharset(Charset charset) {
        }

        @Override
        public Charset getCharset() {
            return Charset.defaultCharset();
        }
    }
}
