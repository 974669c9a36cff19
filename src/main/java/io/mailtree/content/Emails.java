package io.mailtree.content;

import io.mailtree.audit.AuditLog;
import io.mailtree.accounts.AccountTree;
import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Texts;
import io.mailtree.shared.Times;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** E-mails: create from scratch or a template, edit while editable, validate, preview, duplicate, delete. */
@Service
public class Emails {

    static final JsonMapper JSON = JsonMapper.builder().build();
    public static final int MAX_ATTACHMENTS = 10;

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final Templates templates;
    private final ContactLists lists;
    private final Contacts contacts;
    private final TemplateLanguage language;
    private final BlobStore blobs;
    private final Clock clock;
    private final AccountTree accounts;
    private final long attachmentMaxBytes;
    private final long attachmentsTotalMaxBytes;

    Emails(JdbcClient jdbc, AuditLog audit, Templates templates, ContactLists lists, Contacts contacts, TemplateLanguage language,
            BlobStore blobs, Clock clock, AccountTree accounts,
            @Value("${mailtree.content.attachment-max-bytes:10485760}") long attachmentMaxBytes,
            @Value("${mailtree.content.attachments-total-max-bytes:20971520}") long attachmentsTotalMaxBytes) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.templates = templates;
        this.lists = lists;
        this.contacts = contacts;
        this.language = language;
        this.blobs = blobs;
        this.clock = clock;
        this.accounts = accounts;
        this.attachmentMaxBytes = attachmentMaxBytes;
        this.attachmentsTotalMaxBytes = attachmentsTotalMaxBytes;
    }

    // --- reading --------------------------------------------------------------------------------

    public Email get(AccountId account, long id) {
        return jdbc.sql("select * from email where account_id = ? and id = ?").params(account.value(), id)
                .query((rs, n) -> map(rs)).optional()
                .orElseThrow(() -> DomainProblem.notFound("email_not_found", "e-mail"));
    }

    public PageOf<Email> list(AccountId account, EmailStatus status, PageRequest page) {
        String filter = status == null ? "" : " and status = '" + status.name() + "'";
        long total = jdbc.sql("select count(*) from email where account_id = ?" + filter).param(account.value())
                .query(Long.class).single();
        List<Email> items = jdbc.sql("select * from email where account_id = ?" + filter
                + " order by id desc limit ? offset ?").params(account.value(), page.size(), page.offset())
                .query((rs, n) -> map(rs)).list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    /** An e-mail of a sub-account as the master's oversight shows it (D-25). */
    public record OwnedEmail(String accountId, String accountName, Email email) {
    }

    /**
     * D-25: the e-mails of all the calling master's sub-accounts, newest first, optionally filtered;
     * a sub-account is refused with {@link io.mailtree.shared.MastersOnly}.
     */
    public PageOf<OwnedEmail> acrossSubaccounts(Caller caller, EmailStatus status, AccountId subaccount,
            PageRequest page) {
        caller.requireMaster();
        AccountId master = caller.accountId();
        // The tree answers which accounts are the master's sub-accounts and their names; content does
        // not read the account table.
        List<AccountId> subaccounts = subaccount == null ? accounts.subaccountIds(master)
                : accounts.find(subaccount).filter(a -> master.equals(a.parentId())).map(a -> List.of(a.id()))
                        .orElse(List.of());
        if (subaccounts.isEmpty()) {
            return new PageOf<>(List.of(), page.page(), page.size(), 0);
        }
        StringBuilder where = new StringBuilder(" from email where account_id in ("
                + io.mailtree.shared.SqlLists.placeholders(subaccounts.size()) + ")");
        List<Object> params = new ArrayList<>(subaccounts.stream().map(AccountId::value).toList());
        if (status != null) {
            where.append(" and status = ?");
            params.add(status.name());
        }
        long total = jdbc.sql("select count(*)" + where).params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(page.size());
        pageParams.add(page.offset());
        record Row(AccountId account, Email email) {
        }
        List<Row> rows = jdbc.sql("select *" + where + " order by id desc limit ? offset ?").params(pageParams)
                .query((rs, n) -> new Row(new AccountId(rs.getObject("account_id", java.util.UUID.class)), map(rs)))
                .list();
        Map<AccountId, String> names = accounts.namesOf(rows.stream().map(Row::account).distinct().toList());
        List<OwnedEmail> items = rows.stream()
                .map(r -> new OwnedEmail(r.account().value().toString(), names.get(r.account()), r.email())).toList();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    public List<Attachment> attachments(AccountId account, long emailId) {
        get(account, emailId);
        return jdbc.sql("select * from email_attachment where account_id = ? and email_id = ? order by id")
                .params(account.value(), emailId)
                .query((rs, n) -> new Attachment(rs.getLong("id"), rs.getString("file_name"), rs.getString("content_type"),
                        rs.getLong("size_bytes"), rs.getString("storage_key"), Times.instant(rs, "created_at")))
                .list();
    }

    public InputStream openAttachment(Attachment attachment) throws IOException {
        return blobs.open(attachment.storageKey());
    }

    // --- writing --------------------------------------------------------------------------------

    @Transactional
    public Email create(AccountId account, EmailDraft draft) {
        return create(account, draft, new FieldChecks());
    }

    /**
     * Creates an e-mail; {@code checks} may hold refusals the caller found already (a form's text that
     * is not a number), reported together with the service's own. Nothing is written when any field
     * is refused.
     */
    @Transactional
    public Email create(AccountId account, EmailDraft draft, FieldChecks checks) {
        EmailType type = checks.check("type", () -> type(draft.type()));
        String name = checks.check("name", () -> Texts.name(draft.name(), 100));
        String subject = draft.subject();
        String html = draft.html();
        String text = draft.text();
        if (draft.templateId() != null) {
            Template template = checks.check("templateId", () -> templates.get(account, draft.templateId()));
            if (template != null) {
                subject = subject == null ? template.subject() : subject;
                html = html == null ? template.html() : html;
                text = text == null ? template.text() : text;
            }
        }
        EmailDraft parts = new EmailDraft(null, null, subject, draft.fromName(), draft.fromEmail(), draft.replyTo(),
                draft.templateId(), html, text, draft.abTest(), draft.listIds());
        Parts valid = parts(account, null, parts, checks);
        checks.throwIfAny();
        Instant now = clock.instant();
        // The generated key, not max(id): a concurrent create in the same account could be the larger id.
        KeyHolder key = new GeneratedKeyHolder();
        jdbc.sql("""
                insert into email (account_id, name, email_type, status, created_at, updated_at)
                values (?, ?, ?, 'INCOMPLETE', ?, ?)""")
                .params(account.value(), name, type.name(), Times.sql(now), Times.sql(now))
                .update(key, "id");
        long id = key.getKeyAs(Long.class);
        return write(account, id, valid);
    }

    @Transactional
    public Email update(AccountId account, long id, EmailDraft changes) {
        return update(account, id, changes, new FieldChecks());
    }

    /** Changes an e-mail, every field checked before any is written ({@code checks} as on create). */
    @Transactional
    public Email update(AccountId account, long id, EmailDraft changes, FieldChecks checks) {
        Email current = get(account, id);
        current.requireEditable();
        if (changes.templateId() != null && !changes.templateId().equals(current.templateId())) {
            // As on create: only one of the account's own templates; another account's id is not found.
            checks.check("templateId", () -> templates.get(account, changes.templateId()));
        }
        EmailType type = changes.type() == null ? current.type() : checks.check("type", () -> type(changes.type()));
        String name = changes.name() == null ? current.name() : checks.check("name", () -> Texts.name(changes.name(), 100));
        // An A/B test's parts are judged by the type the e-mail is about to have.
        Parts valid = parts(account, current, changes, checks);
        checks.throwIfAny();
        jdbc.sql("update email set email_type = ?, name = ? where id = ?").params(type.name(), name, id).update();
        return write(account, id, valid);
    }

    /** The parts an e-mail is written with, once every one of them has been checked. */
    private record Parts(String subject, String fromName, String fromEmail, String replyTo, Long templateId,
            String html, String text, AbTest abTest, List<Long> listIds) {
    }

    /**
     * Checks the parts of {@code changes} over those of {@code current} (none when creating), filing
     * each refusal under its field: subject, html, text, fromEmail, replyTo, fromName, abTest.*, listIds.
     */
    private Parts parts(AccountId account, Email current, EmailDraft changes, FieldChecks checks) {
        String subject = changes.subject() != null ? changes.subject() : current == null ? null : current.subject();
        String html = changes.html() != null ? changes.html() : current == null ? null : current.html();
        String text = changes.text() != null ? changes.text() : current == null ? null : current.text();
        templates.check(subject, html, text, checks);
        String fromEmail = changes.fromEmail() != null
                ? checks.check("fromEmail", () -> address(changes.fromEmail(), "fromEmail"))
                : current == null ? null : current.fromEmail();
        String replyTo = changes.replyTo() != null
                ? checks.check("replyTo", () -> address(changes.replyTo(), "replyTo"))
                : current == null ? null : current.replyTo();
        String fromName = changes.fromName() != null
                ? checks.check("fromName", () -> header(changes.fromName(), "fromName"))
                : current == null ? null : current.fromName();
        AbTest abTest = changes.abTest() != null ? changes.abTest() : current == null ? null : current.abTest();
        if (abTest != null) {
            abTest.check(checks);
            List<AbTest.Variant> variants = abTest.variants() == null ? List.of() : abTest.variants();
            for (int i = 0; i < variants.size(); i++) {
                AbTest.Variant variant = variants.get(i);
                FieldChecks ofVariant = new FieldChecks();
                templates.check(variant.subject(), variant.html(), null, ofVariant);
                int n = i;
                checks.checkThat("abTest.variants." + n, ofVariant::throwIfAny);
            }
        }
        Long templateId = changes.templateId() != null ? changes.templateId() : current == null ? null
                : current.templateId();
        List<Long> listIds = null;
        if (changes.listIds() != null) {
            listIds = checks.check("listIds", () -> checkedLists(account, changes.listIds()));
        }
        return new Parts(subject, fromName, fromEmail, replyTo, templateId, html, text, abTest, listIds);
    }

    private Email write(AccountId account, long id, Parts parts) {
        jdbc.sql("""
                update email set subject = ?, from_name = ?, from_email = ?, reply_to = ?, template_id = ?, html = ?,
                    text_body = ?, ab_config = ?, updated_at = ?
                where account_id = ? and id = ?""")
                .params(blankToNull(parts.subject()), blankToNull(parts.fromName()), parts.fromEmail(), parts.replyTo(),
                        parts.templateId(), blankToNull(parts.html()), blankToNull(parts.text()),
                        parts.abTest() == null ? null : JSON.writeValueAsString(parts.abTest()),
                        Times.sql(clock.instant()), account.value(), id)
                .update();
        if (parts.listIds() != null) {
            setLists(id, account, parts.listIds());
        }
        return restate(account, id);
    }

    /** The distinct lists, each one of the account's; at most 50. */
    private List<Long> checkedLists(AccountId account, List<Long> listIds) {
        List<Long> distinct = new ArrayList<>(new LinkedHashSet<>(listIds));
        if (distinct.size() > 50) {
            throw DomainProblem.invalid("too_many_lists", "an e-mail goes to at most 50 lists").with("field", "listIds");
        }
        for (Long listId : distinct) {
            lists.get(account, listId);
        }
        return distinct;
    }

    private void setLists(long emailId, AccountId account, List<Long> distinct) {
        jdbc.sql("delete from email_list where email_id = ?").param(emailId).update();
        for (Long listId : distinct) {
            jdbc.sql("insert into email_list (email_id, list_id, account_id) values (?, ?, ?)")
                    .params(emailId, listId, account.value()).update();
        }
    }

    /** Recomputes the status of an editable e-mail from its parts. */
    private Email restate(AccountId account, long id) {
        Email email = get(account, id);
        EmailStatus derived = email.derivedStatus();
        if (derived != email.status()) {
            jdbc.sql("update email set status = ? where id = ?").params(derived.name(), id).update();
            email = get(account, id);
        }
        return email;
    }

    @Transactional
    public void delete(AccountId account, long id) throws IOException {
        Email email = get(account, id);
        email.requireEditable();
        List<Attachment> files = attachments(account, id);
        jdbc.sql("delete from email_attachment where email_id = ?").param(id).update();
        jdbc.sql("delete from email_list where email_id = ?").param(id).update();
        jdbc.sql("delete from email where id = ?").param(id).update();
        for (Attachment file : files) {
            blobs.delete(file.storageKey());
        }
    }

    /** A copy in the same account, with its lists and attachments, as a new editable e-mail. */
    @Transactional
    public Email duplicate(AccountId account, long id) throws IOException {
        Email source = get(account, id);
        String name = source.name().length() > 93 ? source.name().substring(0, 93) : source.name();
        Email copy = create(account, new EmailDraft(name + " (copy)", source.type().name(), source.subject(),
                source.fromName(), source.fromEmail(), source.replyTo(), null, source.html(), source.text(),
                source.abTest(), source.listIds()));
        for (Attachment attachment : attachments(account, id)) {
            copyAttachment(account, copy.id(), attachment);
        }
        return get(account, copy.id());
    }

    /** Stores an attachment after checking its bytes match an accepted type and the size limits. */
    @Transactional
    public Attachment attach(AccountId account, long emailId, String fileName, InputStream content) throws IOException {
        Email email = get(account, emailId);
        email.requireEditable();
        List<Attachment> existing = attachments(account, emailId);
        if (existing.size() >= MAX_ATTACHMENTS) {
            throw DomainProblem.conflict("too_many_attachments", "an e-mail has at most " + MAX_ATTACHMENTS
                    + " attachments", MAX_ATTACHMENTS);
        }
        byte[] bytes = content.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, attachmentMaxBytes + 1));
        if (bytes.length > attachmentMaxBytes) {
            throw new DomainProblem(413, "attachment_too_large", "an attachment may have at most " + attachmentMaxBytes
                    + " bytes", attachmentMaxBytes);
        }
        long total = existing.stream().mapToLong(Attachment::sizeBytes).sum() + bytes.length;
        if (total > attachmentsTotalMaxBytes) {
            throw new DomainProblem(413, "attachments_too_large", "the attachments of an e-mail may have at most "
                    + attachmentsTotalMaxBytes + " bytes together", attachmentsTotalMaxBytes);
        }
        String name = FileTypes.safeName(fileName, "attachment");
        String type = FileTypes.attachmentType(bytes, name).orElseThrow(() -> DomainProblem.invalid(
                "unsupported_attachment", "attachments are PDF or office documents whose content matches their name")
                .with("field", "file"));
        return store(account, emailId, name, type, bytes);
    }

    private Attachment store(AccountId account, long emailId, String name, String type, byte[] bytes) throws IOException {
        BlobStore.Stored stored = blobs.put("att", new ByteArrayInputStream(bytes), attachmentMaxBytes);
        jdbc.sql("""
                insert into email_attachment (account_id, email_id, file_name, content_type, size_bytes, storage_key,
                    created_at)
                values (?, ?, ?, ?, ?, ?, ?)""")
                .params(account.value(), emailId, name, type, stored.size(), stored.key(), Times.sql(clock.instant()))
                .update();
        return attachments(account, emailId).stream().filter(a -> a.storageKey().equals(stored.key())).findFirst()
                .orElseThrow();
    }

    Attachment copyAttachment(AccountId target, long emailId, Attachment source) throws IOException {
        return store(target, emailId, source.fileName(), source.contentType(), blobs.read(source.storageKey()));
    }

    @Transactional
    public void detach(AccountId account, long emailId, long attachmentId) throws IOException {
        get(account, emailId).requireEditable();
        Attachment attachment = attachments(account, emailId).stream().filter(a -> a.id() == attachmentId).findFirst()
                .orElseThrow(() -> DomainProblem.notFound("attachment_not_found", "attachment"));
        jdbc.sql("delete from email_attachment where id = ?").param(attachmentId).update();
        blobs.delete(attachment.storageKey());
    }

    /** Marks an e-mail sent; campaigns call it when the send completes (and tests, until they exist). */
    @Transactional
    public Email markSent(AccountId account, long id, Instant at) {
        Email email = get(account, id);
        if (email.status() != EmailStatus.DRAFT && email.status() != EmailStatus.SENDING) {
            throw DomainProblem.conflict("email_not_sendable", "only a complete e-mail can be sent");
        }
        jdbc.sql("update email set status = 'SENT', sent_at = ? where id = ?").params(Times.sql(at), id).update();
        return get(account, id);
    }

    // --- preview ----------------------------------------------------------------------------------

    /** The rendered subject, HTML and text for one contact (or sample values without one). */
    public record Rendered(String subject, String html, String text) {
    }

    public Rendered preview(AccountId account, long id, Long contactId) {
        Email email = get(account, id);
        Map<String, Object> values = new LinkedHashMap<>();
        if (contactId != null) {
            var contact = contacts.get(account, contactId);
            values.putAll(contact.properties());
            values.put("email", contact.email());
            values.put("name", contact.name());
        } else {
            values.put("email", "recipient@example.com");
            values.put("name", "Recipient");
        }
        String subject = language.render(email.subject(), TemplateLanguage.Part.SUBJECT, values);
        // The layouts put {{subject}} in the HTML title: the body reads the e-mail's own subject, unless a
        // contact property of that name says otherwise.
        values.putIfAbsent("subject", subject);
        return new Rendered(subject,
                language.render(email.html(), TemplateLanguage.Part.HTML, values),
                language.render(email.text() == null ? HtmlText.from(email.html()) : email.text(),
                        TemplateLanguage.Part.TEXT, values));
    }

    // --- mapping --------------------------------------------------------------------------------

    private Email map(java.sql.ResultSet rs) throws java.sql.SQLException {
        long id = rs.getLong("id");
        String ab = rs.getString("ab_config");
        List<Long> listIds = jdbc.sql("select list_id from email_list where email_id = ? order by list_id").param(id)
                .query(Long.class).list();
        int attachmentCount = jdbc.sql("select count(*) from email_attachment where email_id = ?").param(id)
                .query(Integer.class).single();
        return new Email(id, rs.getString("name"), EmailType.valueOf(rs.getString("email_type")),
                EmailStatus.valueOf(rs.getString("status")), rs.getString("subject"), rs.getString("from_name"),
                rs.getString("from_email"), rs.getString("reply_to"), (Long) rs.getObject("template_id"),
                rs.getString("html"), rs.getString("text_body"), ab == null ? null : JSON.readValue(ab, AbTest.class),
                listIds, attachmentCount, rs.getString("shared_from"), Times.instant(rs, "sent_at"),
                Times.instant(rs, "created_at"), Times.instant(rs, "updated_at"));
    }

    private static EmailType type(String text) {
        if (text == null) {
            return EmailType.REGULAR;
        }
        try {
            return EmailType.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw DomainProblem.invalid("invalid_email_type", "type is REGULAR or AB_TEST").with("field", "type");
        }
    }

    private static String address(String value, String field) {
        if (value.isBlank()) {
            return null;
        }
        try {
            return EmailAddresses.normalise(value);
        } catch (DomainProblem invalid) {
            throw DomainProblem.invalid("invalid_email", "not a valid e-mail address").with("field", field);
        }
    }

    /** Header texts cannot carry line breaks: that is how header injection starts. */
    private static String header(String value, String field) {
        if (value.chars().anyMatch(c -> c == '\r' || c == '\n')) {
            throw DomainProblem.invalid("invalid_header", "line breaks are not allowed here").with("field", field);
        }
        return value.length() > 100 ? value.substring(0, 100) : value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    // --- The administrative acts of D-32: the same changes, written to the audit log in their transaction.

    /** Creates an e-mail as {@code caller}'s act, audited. */
    @Transactional
    public Email create(Caller caller, EmailDraft draft) {
        return create(caller, draft, new FieldChecks());
    }

    /** Creates an e-mail as {@code caller}'s act, audited; {@code checks} as in {@link #create(AccountId, EmailDraft, FieldChecks)}. */
    @Transactional
    public Email create(Caller caller, EmailDraft draft, FieldChecks checks) {
        Email created = create(caller.accountId(), draft, checks);
        audit.record(caller, "email.created", "email", String.valueOf(created.id()), created.name());
        return created;
    }

    /** Changes an e-mail as {@code caller}'s act, audited. */
    @Transactional
    public Email update(Caller caller, long id, EmailDraft changes) {
        return update(caller, id, changes, new FieldChecks());
    }

    /** Changes an e-mail as {@code caller}'s act, audited; {@code checks} as on create. */
    @Transactional
    public Email update(Caller caller, long id, EmailDraft changes, FieldChecks checks) {
        Email saved = update(caller.accountId(), id, changes, checks);
        audit.record(caller, "email.edited", "email", String.valueOf(id), saved.name());
        return saved;
    }

    /** Deletes an e-mail as {@code caller}'s act, audited. */
    @Transactional
    public void delete(Caller caller, long id) throws IOException {
        Email email = get(caller.accountId(), id);
        delete(caller.accountId(), id);
        audit.record(caller, "email.deleted", "email", String.valueOf(id), email.name());
    }

    /** Duplicates an e-mail as {@code caller}'s act, audited on the copy. */
    @Transactional
    public Email duplicate(Caller caller, long id) throws IOException {
        Email copy = duplicate(caller.accountId(), id);
        audit.record(caller, "email.duplicated", "email", String.valueOf(copy.id()), copy.name());
        return copy;
    }

    /** Attaches a file to an e-mail as {@code caller}'s act, audited. */
    @Transactional
    public Attachment attach(Caller caller, long emailId, String fileName, InputStream content) throws IOException {
        Attachment attached = attach(caller.accountId(), emailId, fileName, content);
        audit.record(caller, "email.attached", "email", String.valueOf(emailId),
                get(caller.accountId(), emailId).name() + ": " + attached.fileName());
        return attached;
    }

    /** Removes an attachment as {@code caller}'s act, audited. */
    @Transactional
    public void detach(Caller caller, long emailId, long attachmentId) throws IOException {
        String fileName = attachments(caller.accountId(), emailId).stream().filter(a -> a.id() == attachmentId)
                .map(Attachment::fileName).findFirst().orElse(String.valueOf(attachmentId));
        detach(caller.accountId(), emailId, attachmentId);
        audit.record(caller, "email.detached", "email", String.valueOf(emailId),
                get(caller.accountId(), emailId).name() + ": " + fileName);
    }
}
