package io.mailtree.content;

import io.mailtree.shared.Caller;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Texts;
import io.mailtree.shared.Times;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Templates (layouts): created blank, from a built-in layout or an HTML file; syntax checked on save. */
@Service
public class Templates {

    public static final int MAX_HTML = 500_000;
    public static final int MAX_TEXT = 200_000;
    public static final List<String> LAYOUTS = List.of("one-column", "two-column", "announcement");

    static final RowMapper<Template> MAPPER = (rs, n) -> new Template(rs.getLong("id"), rs.getString("name"),
            rs.getString("subject"), rs.getString("html"), rs.getString("text_body"), Times.instant(rs, "created_at"),
            Times.instant(rs, "updated_at"));

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final TemplateLanguage language;
    private final Clock clock;

    Templates(JdbcClient jdbc, AuditLog audit, TemplateLanguage language, Clock clock) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.language = language;
        this.clock = clock;
    }

    /** The HTML of a built-in layout. */
    public static String layout(String name) {
        if (!LAYOUTS.contains(name)) {
            throw DomainProblem.invalid("unknown_layout", "unknown layout: " + name + "; choose one of " + LAYOUTS, name)
                    .with("field", "layout");
        }
        try (InputStream in = Templates.class.getResourceAsStream("/layouts/" + name + ".html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException missing) {
            throw new IllegalStateException(missing);
        }
    }

    /**
     * Creates a template. Without a text part, one is generated from the HTML. A syntax error in
     * any part refuses the whole template with the line and column.
     */
    @Transactional
    public Template create(AccountId account, String name, String subject, String html, String text) {
        return create(account, name, subject, html, text, null);
    }

    /**
     * {@link #create(AccountId, String, String, String, String)} starting, when {@code html} is null
     * and {@code layout} is given, from that built-in layout; an unknown layout is refused together
     * with the other fields.
     */
    @Transactional
    public Template create(AccountId account, String name, String subject, String givenHtml, String text,
            String layout) {
        FieldChecks checks = new FieldChecks();
        String validName = checks.check("name", () -> Texts.name(name, 100));
        String html = givenHtml != null || layout == null || layout.isBlank() ? givenHtml
                : checks.check("layout", () -> layout(layout));
        String textBody = text == null || text.isBlank() ? HtmlText.from(html) : text;
        check(subject, html, textBody, checks);
        checks.throwIfAny();
        Instant now = clock.instant();
        // The generated key, not max(id): a concurrent create in the same account could be the larger id.
        KeyHolder key = new GeneratedKeyHolder();
        jdbc.sql("""
                insert into template (account_id, name, subject, html, text_body, created_at, updated_at)
                values (?, ?, ?, ?, ?, ?, ?)""")
                .params(account.value(), validName, subject, html, textBody, Times.sql(now), Times.sql(now))
                .update(key, "id");
        return get(account, key.getKeyAs(Long.class));
    }

    @Transactional
    public Template update(AccountId account, long id, String name, String subject, String html, String text) {
        Template current = get(account, id);
        FieldChecks checks = new FieldChecks();
        String newName = name == null ? current.name() : checks.check("name", () -> Texts.name(name, 100));
        String newSubject = subject == null ? current.subject() : subject;
        String newHtml = html == null ? current.html() : html;
        String newText = text == null ? current.text() : text;
        check(newSubject, newHtml, newText, checks);
        checks.throwIfAny();
        jdbc.sql("update template set name = ?, subject = ?, html = ?, text_body = ?, updated_at = ? where account_id = ? and id = ?")
                .params(newName, newSubject, newHtml, newText, Times.sql(clock.instant()), account.value(), id).update();
        return get(account, id);
    }

    public Template get(AccountId account, long id) {
        return jdbc.sql("select * from template where account_id = ? and id = ?").params(account.value(), id)
                .query(MAPPER).optional().orElseThrow(() -> DomainProblem.notFound("template_not_found", "template"));
    }

    public PageOf<Template> list(AccountId account, PageRequest page) {
        long total = jdbc.sql("select count(*) from template where account_id = ?").param(account.value())
                .query(Long.class).single();
        List<Template> items = jdbc.sql("select * from template where account_id = ? order by id desc limit ? offset ?")
                .params(account.value(), page.size(), page.offset()).query(MAPPER).list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    @Transactional
    public void delete(AccountId account, long id) {
        get(account, id);
        jdbc.sql("delete from template where account_id = ? and id = ?").params(account.value(), id).update();
    }

    void check(String subject, String html, String text) {
        FieldChecks checks = new FieldChecks();
        check(subject, html, text, checks);
        checks.throwIfAny();
    }

    /**
     * Files each part's refusal under its field (subject, html, text): its length, a line break in
     * the subject, then its syntax, checked only for a part that passed the rest.
     */
    void check(String subject, String html, String text, FieldChecks checks) {
        if (subject != null && subject.length() > 300) {
            checks.add("subject", DomainProblem.invalid("subject_too_long", "the subject may have at most 300 characters"));
        }
        if (subject != null && (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0)) {
            checks.add("subject", DomainProblem.invalid("invalid_header", "line breaks are not allowed in a subject"));
        }
        if (html != null && html.length() > MAX_HTML) {
            checks.add("html", DomainProblem.invalid("html_too_long", "the HTML may have at most " + MAX_HTML
                    + " characters", MAX_HTML));
        }
        if (text != null && text.length() > MAX_TEXT) {
            checks.add("text", DomainProblem.invalid("text_too_long", "the text may have at most " + MAX_TEXT
                    + " characters", MAX_TEXT));
        }
        if (checks.ok("subject")) {
            checks.check("subject", () -> language.compile(subject, TemplateLanguage.Part.SUBJECT));
        }
        if (checks.ok("html")) {
            checks.check("html", () -> language.compile(html, TemplateLanguage.Part.HTML));
        }
        if (checks.ok("text")) {
            checks.check("text", () -> language.compile(text, TemplateLanguage.Part.TEXT));
        }
    }

    // --- The administrative acts of D-32: the same changes, written to the audit log in their transaction.

    /** Creates a template as {@code caller}'s act, audited. */
    @Transactional
    public Template create(Caller caller, String name, String subject, String html, String text) {
        return create(caller, name, subject, html, text, null);
    }

    /** Creates a template, from a built-in layout when no HTML is given, as {@code caller}'s act, audited. */
    @Transactional
    public Template create(Caller caller, String name, String subject, String html, String text, String layout) {
        Template created = create(caller.accountId(), name, subject, html, text, layout);
        audit.record(caller, "template.created", "template", String.valueOf(created.id()), created.name());
        return created;
    }

    /** Changes a template as {@code caller}'s act, audited. */
    @Transactional
    public Template update(Caller caller, long id, String name, String subject, String html, String text) {
        Template saved = update(caller.accountId(), id, name, subject, html, text);
        audit.record(caller, "template.edited", "template", String.valueOf(id), saved.name());
        return saved;
    }

    /** Deletes a template as {@code caller}'s act, audited. */
    @Transactional
    public void delete(Caller caller, long id) {
        Template template = get(caller.accountId(), id);
        delete(caller.accountId(), id);
        audit.record(caller, "template.deleted", "template", String.valueOf(id), template.name());
    }
}
