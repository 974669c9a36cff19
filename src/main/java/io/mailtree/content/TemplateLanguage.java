package io.mailtree.content;

import com.github.jknack.handlebars.Context;
import com.github.jknack.handlebars.EscapingStrategy;
import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.HandlebarsError;
import com.github.jknack.handlebars.HandlebarsException;
import com.github.jknack.handlebars.Template;
import com.github.jknack.handlebars.context.MapValueResolver;
import com.github.jknack.handlebars.io.TemplateLoader;
import com.github.jknack.handlebars.io.TemplateSource;
import io.mailtree.shared.DomainProblem;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Personalisation with Handlebars: {@code {{first_name}}}, {@code {{default first_name "friend"}}},
 * {@code {{#if vip}}…{{/if}}}. Logic-light and safe: values come only from the contact's map (no
 * method calls on Java objects), partials cannot load files, HTML parts escape values and text
 * parts do not. A syntax error is reported with its line and column.
 */
@Component
public class TemplateLanguage {

    private static final int CACHE_LIMIT = 2_000;

    private final Handlebars html = configure(new Handlebars(new NoFiles()));
    private final Handlebars text = configure(new Handlebars(new NoFiles()).with(EscapingStrategy.NOOP));
    private final Map<String, Template> htmlCache = new ConcurrentHashMap<>();
    private final Map<String, Template> textCache = new ConcurrentHashMap<>();

    /** Which part is being compiled: HTML escapes values, text does not. */
    public enum Part {
        HTML, TEXT, SUBJECT
    }

    private static Handlebars configure(Handlebars handlebars) {
        handlebars.registerHelper("default", (value, options) -> {
            boolean missing = value == null || value instanceof CharSequence chars && chars.toString().isBlank();
            return missing ? options.param(0, "") : value;
        });
        return handlebars.prettyPrint(false).infiniteLoops(false);
    }

    /**
     * Compiles a source, answering the compiled template or refusing with
     * {@code template_syntax_error} and the line and column.
     */
    public Template compile(String source, Part part) {
        String body = source == null ? "" : source;
        Map<String, Template> cache = part == Part.HTML ? htmlCache : textCache;
        Template cached = cache.get(body);
        if (cached != null) {
            return cached;
        }
        try {
            Template template = (part == Part.HTML ? html : text).compileInline(body);
            if (cache.size() > CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(body, template);
            return template;
        } catch (HandlebarsException syntax) {
            HandlebarsError error = syntax.getError();
            int line = error == null ? 0 : error.line;
            int column = error == null ? 0 : error.column;
            String reason = error == null ? syntax.getMessage() : error.reason;
            throw DomainProblem.invalid("template_syntax_error", part.name().toLowerCase() + " line " + line + ", column "
                    + column + ": " + reason, part.name().toLowerCase(), line, column, reason)
                    .with("part", part.name().toLowerCase()).with("line", line).with("column", column);
        } catch (IOException | RuntimeException unreadable) {
            throw DomainProblem.invalid("template_syntax_error", part.name().toLowerCase() + ": " + unreadable.getMessage(),
                    part.name().toLowerCase(), 0, 0, String.valueOf(unreadable.getMessage()));
        }
    }

    /** Checks every part, refusing the first syntax error. */
    public void check(String subject, String htmlBody, String textBody) {
        compile(subject, Part.SUBJECT);
        compile(htmlBody, Part.HTML);
        compile(textBody, Part.TEXT);
    }

    /** Renders a compiled template with a contact's values. */
    public String render(Template template, Map<String, Object> values) {
        Context context = Context.newBuilder(values).resolver(MapValueResolver.INSTANCE).build();
        try {
            return template.apply(context);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        } finally {
            context.destroy();
        }
    }

    public String render(String source, Part part, Map<String, Object> values) {
        return render(compile(source, part), values);
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
