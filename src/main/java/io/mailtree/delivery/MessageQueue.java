package io.mailtree.delivery;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.content.TemplateLanguage;
import io.mailtree.content.Templates;
import io.mailtree.keys.KeyPauses;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Secrets;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts messages into the durable queue (D-29). Each message of a request is checked on its own
 * and refused with a code, or composed and queued; all accepted messages of a request commit in one
 * transaction, and only then does the API answer "accepted". An {@code Idempotency-Key} repeats the
 * first answer for the same body and refuses another body (409).
 *
 * <p>Messages are checked, rendered and composed before that transaction opens: a render may take up
 * to its time limit, and a pool connection held meanwhile would let a few calls starve every other
 * request. Template variables are scalars (strings, numbers, booleans, null); lists and objects are
 * refused with {@code invalid_variable}, so a client cannot feed a template's loops.
 */
@Service
public class MessageQueue {

    public static final int MAX_MESSAGES = 50;
    public static final int MAX_RECIPIENTS = 50;
    public static final int MAX_VARIABLES = 200;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final AccountTree accounts;
    private final Senders senders;
    private final Templates templates;
    private final TemplateLanguage language;
    private final SendingAllowance allowance;
    private final MessageEvents events;
    private final DeliveryWorkers workers;
    private final KeyPauses keyPauses;
    private final Clock clock;
    private final TransactionTemplate transactions;

    MessageQueue(JdbcClient jdbc, JdbcTemplate jdbcTemplate, AccountTree accounts, Senders senders, Templates templates, TemplateLanguage language,
            SendingAllowance allowance, MessageEvents events, DeliveryWorkers workers, KeyPauses keyPauses, Clock clock,
            PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.accounts = accounts;
        this.senders = senders;
        this.templates = templates;
        this.language = language;
        this.allowance = allowance;
        this.events = events;
        this.workers = workers;
        this.keyPauses = keyPauses;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /** The answer of a send call. */
    public record Answer(List<SendResult> results) {
    }

    public Answer send(Caller caller, List<OutboundMessage> messages, String idempotencyKey, String requestBody) {
        if (messages == null || messages.isEmpty()) {
            throw DomainProblem.invalid("no_messages", "send at least one message").with("field", "messages");
        }
        if (messages.size() > MAX_MESSAGES) {
            throw DomainProblem.invalid("too_many_messages", "at most " + MAX_MESSAGES + " messages a call", MAX_MESSAGES)
                    .with("field", "messages");
        }
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey.strip();
        if (key != null && key.length() > 200) {
            throw DomainProblem.invalid("invalid_idempotency_key", "an Idempotency-Key has at most 200 characters");
        }
        String hash = Secrets.sha256Hex(requestBody == null ? "" : requestBody);
        if (key != null) {
            Optional<Answer> previous = previous(caller.accountId(), key, hash);
            if (previous.isPresent()) {
                return previous.get();
            }
        }
        // D-19: a paused key sends nothing new; the whole call is refused with key_paused (403).
        int priority = priority(keyPauses.requireSendable(caller.apiKeyId()).orElse(null));
        Prepared prepared = prepareAll(caller, messages);
        try {
            Answer answer = transactions.execute(status -> {
                enqueue(caller, prepared.accepted(), priority);
                Answer result = new Answer(prepared.results());
                if (key != null) {
                    jdbc.sql("""
                            insert into idempotency_record (account_id, idem_key, request_hash, response, created_at)
                            values (?, ?, ?, ?, ?)""")
                            .params(caller.accountId().value(), key, hash, JSON.writeValueAsString(result),
                                    Times.sql(clock.instant()))
                            .update();
                }
                if (result.results().stream().anyMatch(r -> r.status().equals("accepted"))) {
                    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                        @Override
                        public void afterCommit() {
                            workers.nudge(priority);
                        }
                    });
                }
                return result;
            });
            return answer;
        } catch (DuplicateKeyException sameKeyAtOnce) {
            return previous(caller.accountId(), key, hash).orElseThrow(() -> sameKeyAtOnce);
        }
    }

    private Optional<Answer> previous(AccountId account, String key, String hash) {
        return jdbc.sql("select request_hash, response from idempotency_record where account_id = ? and idem_key = ?")
                .params(account.value(), key)
                .query((rs, n) -> {
                    if (!rs.getString(1).equals(hash)) {
                        throw DomainProblem.conflict("idempotency_key_reused",
                                "this Idempotency-Key was used with another request body");
                    }
                    return JSON.readValue(rs.getString(2), Answer.class);
                })
                .optional();
    }

    /** The messages of a call, checked and composed: the answer's results and what is to be inserted. */
    private record Prepared(List<SendResult> results, List<Queued> accepted) {
    }

    private Prepared prepareAll(Caller caller, List<OutboundMessage> messages) {
        Account account = accounts.require(caller.accountId());
        List<SendResult> results = new ArrayList<>();
        List<Queued> accepted = new ArrayList<>();
        Map<String, Boolean> verifiedSenders = new HashMap<>();
        String accountRefusal = !accounts.require(account.rootId()).isVerified() ? "account_not_verified" : null;
        for (int i = 0; i < messages.size(); i++) {
            OutboundMessage message = messages.get(i);
            String customId = message == null ? null : message.customId();
            if (accountRefusal != null) {
                results.add(SendResult.refused(i, customId, accountRefusal,
                        "the account's e-mail address is not confirmed yet (D-1)"));
                continue;
            }
            try {
                Queued queued = prepare(caller, message, verifiedSenders);
                accepted.add(queued);
                results.add(SendResult.accepted(i, queued.publicId().toString(), queued.composed().messageId(),
                        message.customId()));
            } catch (DomainProblem refused) {
                results.add(SendResult.refused(i, customId, refused.code(), refused.getMessage()));
            }
        }
        return new Prepared(results, accepted);
    }

    /** A message checked and composed, to be inserted with the others of its call. */
    private record Queued(UUID publicId, String from, List<String> recipients, String subject, String customId,
            String eventPayload, MessageComposer.Composed composed, Instant at, boolean viaSmtp, UUID bulkId,
            Integer bulkVariant) {

        Queued(UUID publicId, String from, List<String> recipients, String subject, String customId,
                String eventPayload, MessageComposer.Composed composed, Instant at, boolean viaSmtp) {
            this(publicId, from, recipients, subject, customId, eventPayload, composed, at, viaSmtp, null, null);
        }
    }

    private Queued prepare(Caller caller, OutboundMessage message, Map<String, Boolean> verifiedSenders) {
        if (message == null) {
            throw DomainProblem.invalid("invalid_message", "a message is required");
        }
        if (message.from() == null || message.from().email() == null) {
            throw DomainProblem.invalid("invalid_from", "from.email is required");
        }
        String from = EmailAddresses.normalise(message.from().email());
        if (!verifiedSenders.computeIfAbsent(from, sender -> senders.isVerified(caller.accountId(), sender))) {
            throw DomainProblem.forbidden("sender_not_verified", "the sender " + from
                    + " is not a confirmed sender of this account", from);
        }
        List<String> recipients = recipients(message);
        if (message.customId() != null && message.customId().length() > 100) {
            throw DomainProblem.invalid("invalid_custom_id", "customId has at most 100 characters");
        }
        if (message.eventPayload() != null && message.eventPayload().length() > 5000) {
            throw DomainProblem.invalid("invalid_event_payload", "eventPayload has at most 5,000 characters");
        }
        MessageComposer.checkHeaders(message.headers());
        long attachmentBytes = MessageComposer.checkAttachments(message.attachments());
        String subject = message.subject();
        String text = message.text();
        String html = message.html();
        Map<String, Object> values = variables(message.variables());
        if (message.templateId() != null) {
            var template = templates.get(caller.accountId(), message.templateId());
            subject = subject != null ? subject : language.render(template.subject(), TemplateLanguage.Part.SUBJECT, values);
            html = html != null ? html : language.render(template.html(), TemplateLanguage.Part.HTML, values);
            text = text != null ? text : language.render(template.text(), TemplateLanguage.Part.TEXT, values);
        }
        // After the template, whose html the images may be for.
        MessageComposer.checkInlineImages(message.inlineImages(), html, attachmentBytes);
        if (subject == null || subject.isBlank()) {
            throw DomainProblem.invalid("missing_subject", "a subject is required");
        }
        if (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0 || subject.length() > 300) {
            throw DomainProblem.invalid("invalid_header", "the subject is one line of at most 300 characters");
        }
        if ((text == null || text.isBlank()) && (html == null || html.isBlank())) {
            throw DomainProblem.invalid("missing_content", "text or html is required");
        }
        Instant now = clock.instant();
        UUID publicId = UUID.randomUUID();
        MessageComposer.Composed composed = MessageComposer.compose(from, message.from().name(), message.to(),
                message.cc(), message.replyTo(), subject, text, html, message.attachments(), message.inlineImages(),
                message.headers(), publicId.toString(), now);
        return new Queued(publicId, from, recipients, subject, message.customId(), message.eventPayload(), composed,
                now, false);
    }

    /**
     * D-29's SMTP path: a message a client submitted over SMTP, queued as it came (with a Message-ID
     * and Date added when missing), tied to the key that authenticated. Answers the message's id.
     *
     * @throws DomainProblem {@code sender_not_verified}, {@code invalid_recipient}, {@code account_not_verified}
     *                       or {@code credits_exhausted}
     */
    public String submit(Caller caller, String envelopeFrom, List<String> envelopeRecipients, byte[] mime) {
        int priority = priority(keyPauses.requireSendable(caller.apiKeyId()).orElse(null));
        Account account = accounts.require(caller.accountId());
        if (!accounts.require(account.rootId()).isVerified()) {
            throw DomainProblem.forbidden("account_not_verified", "the account's e-mail address is not confirmed yet");
        }
        String from = EmailAddresses.normalise(envelopeFrom);
        if (!senders.isVerified(caller.accountId(), from)) {
            throw DomainProblem.forbidden("sender_not_verified", "the sender " + from
                    + " is not a confirmed sender of this account", from);
        }
        List<String> recipients = envelopeRecipients.stream().map(EmailAddresses::normalise).distinct().toList();
        Instant now = clock.instant();
        UUID publicId = UUID.randomUUID();
        MessageComposer.Submitted submitted = MessageComposer.completeSubmitted(mime, from, publicId.toString(), now);
        if (submitted.headerFrom() != null && !submitted.headerFrom().equalsIgnoreCase(from)
                && !senders.isVerified(caller.accountId(), submitted.headerFrom())) {
            throw DomainProblem.forbidden("sender_not_verified", "the From header " + submitted.headerFrom()
                    + " is not a confirmed sender of this account", submitted.headerFrom());
        }
        String id = transactions.execute(status -> {
            enqueue(caller, List.of(new Queued(publicId, from, recipients, submitted.subject(), null, null,
                    submitted.composed(), now, true)), priority);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    workers.nudge(priority);
                }
            });
            return publicId.toString();
        });
        return id;
    }

    /**
     * Inserts accepted messages with one batched statement, reads their ids back with one query, and
     * records their ACCEPTED and QUEUED events with another: a call of 50 messages is three round
     * trips, not 200.
     */
    private void enqueue(Caller caller, List<Queued> queued, int priority) {
        if (queued.isEmpty()) {
            return;
        }
        UUID keyId = caller.apiKeyId() == null ? null : caller.apiKeyId().value();
        List<Object[]> rows = new ArrayList<>(queued.size());
        for (Queued message : queued) {
            String subject = message.subject() == null ? null
                    : message.subject().length() > 300 ? message.subject().substring(0, 300) : message.subject();
            rows.add(new Object[] {message.publicId(), caller.accountId().value(), keyId, MessageStatus.QUEUED.name(),
                    message.from(), String.join("\n", message.recipients()), subject, message.customId(),
                    message.eventPayload(), message.composed().messageId(), Times.sql(message.at()),
                    Times.sql(message.at()), Times.sql(message.at()), message.composed().mime(), message.viaSmtp(),
                    priority, message.bulkId(), message.bulkVariant()});
        }
        SqlBatches.run(jdbcTemplate, """
                insert into message (public_id, account_id, api_key_id, status, from_email, recipients, subject, custom_id,
                    event_payload, message_id, attempts, next_attempt_at, created_at, updated_at, mime, via_smtp,
                    priority, bulk_id, bulk_variant)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)""", rows);
        List<Object> publicIds = new ArrayList<>(queued.stream().map(Queued::publicId).toList());
        Map<UUID, Long> ids = new HashMap<>();
        jdbc.sql("select public_id, id from message where public_id in ("
                + SqlLists.placeholders(publicIds.size()) + ")")
                .params(publicIds)
                .query(rs -> {
                    ids.put(rs.getObject(1, UUID.class), rs.getLong(2));
                });
        List<MessageEvents.Event> accepted = new ArrayList<>(queued.size() * 2);
        for (Queued message : queued) {
            long id = ids.get(message.publicId());
            accepted.add(MessageEvents.Event.accepted(caller.accountId(), id, keyId, message.recipients().size()));
            accepted.add(new MessageEvents.Event(caller.accountId(), id, keyId, OutcomeType.QUEUED, null, null));
        }
        events.recordAll(accepted);
        // D-31, last in the transaction so the credits row is locked only until the commit that follows.
        allowance.reserve(caller.accountId(), queued.size());
    }

    /**
     * Queues the personalised messages of one batch of a bulk send (a campaign, ADR 0024), tagged with
     * {@code bulkId}, in the caller's transaction, which must exist: the campaign records its
     * recipients and moves its cursor in the same commit, so a batch is queued wholly or not at all.
     * The whole batch is refused (nothing queued) when the account may not send, the sender is not
     * confirmed, the key is paused or the credits are short ({@code credits_exhausted}); the caller keeps its cursor and tries
     * later. Answers the messages' public ids, in order.
     */
    public List<UUID> enqueueBulk(Caller caller, UUID bulkId, List<BulkMessage> messages) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("a bulk batch is queued in its sender's transaction");
        }
        if (messages.isEmpty()) {
            return List.of();
        }
        int priority = priority(keyPauses.requireSendable(caller.apiKeyId()).orElse(null));
        Account account = accounts.require(caller.accountId());
        if (!accounts.require(account.rootId()).isVerified()) {
            throw DomainProblem.forbidden("account_not_verified", "the account's e-mail address is not confirmed yet");
        }
        Map<String, Boolean> verifiedSenders = new HashMap<>();
        Instant now = clock.instant();
        List<Queued> queued = new ArrayList<>(messages.size());
        for (BulkMessage message : messages) {
            String from = EmailAddresses.normalise(message.fromEmail());
            if (!verifiedSenders.computeIfAbsent(from, sender -> senders.isVerified(caller.accountId(), sender))) {
                throw DomainProblem.forbidden("sender_not_verified", "the sender " + from
                        + " is not a confirmed sender of this account", from);
            }
            String to = EmailAddresses.normalise(message.toEmail());
            Map<String, String> headers = new LinkedHashMap<>();
            String url = oneLine(message.listUnsubscribeUrl());
            if (url != null) {
                if (!url.startsWith("https://") && !url.startsWith("http://")) {
                    throw new IllegalArgumentException("the unsubscribe URL must be http(s)");
                }
                String mailto = oneLine(message.listUnsubscribeMailto());
                headers.put("List-Unsubscribe", "<" + url + ">" + (mailto == null ? "" : ", <mailto:" + mailto + ">"));
                headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            }
            String subject = oneLine(message.subject());
            if (subject == null || subject.isBlank()) {
                throw DomainProblem.invalid("missing_subject", "a subject is required");
            }
            subject = subject.length() > 300 ? subject.substring(0, 300) : subject;
            UUID publicId = UUID.randomUUID();
            OutboundMessage.Party replyTo = message.replyTo() == null || message.replyTo().isBlank() ? null
                    : new OutboundMessage.Party(message.replyTo(), null);
            MessageComposer.Composed composed = MessageComposer.compose(from, message.fromName(),
                    List.of(new OutboundMessage.Party(to, message.toName())), null, replyTo, subject, message.text(),
                    message.html(), null, null, headers, publicId.toString(), now);
            queued.add(new Queued(publicId, from, List.of(to), subject, null, null, composed, now, false, bulkId,
                    message.variant()));
        }
        enqueue(caller, queued, priority);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                workers.nudge(priority);
            }
        });
        return queued.stream().map(Queued::publicId).toList();
    }

    /** A header value, refused when it holds a line break (header injection). */
    private static String oneLine(String value) {
        if (value == null) {
            return null;
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw DomainProblem.invalid("invalid_header", "header values are one line");
        }
        return value;
    }

    /** How many messages of a bulk send are in each status (QUEUED, HELD, DELIVERED, ...), for its progress. */
    public Map<String, Integer> bulkCounts(AccountId account, UUID bulkId) {
        Map<String, Integer> counts = new HashMap<>();
        jdbc.sql("select status, count(*) from message where bulk_id = ? and account_id = ? group by status")
                .params(bulkId, account.value())
                .query(rs -> {
                    counts.put(rs.getString(1), rs.getInt(2));
                });
        return counts;
    }

    /**
     * D-20: the claim's order, from the sending key's label: TRANSACTIONAL mail first (0), mail of an
     * unlabelled key or of the pages next (1), MARKETING last (2), so a marketing backlog never delays
     * transactional mail when the workers are saturated.
     */
    static int priority(io.mailtree.keys.KeyLabel label) {
        if (label == null) {
            return 1;
        }
        return switch (label) {
            case TRANSACTIONAL -> 0;
            case MARKETING -> 2;
        };
    }

    /**
     * A message's template variables, checked: at most {@link #MAX_VARIABLES}, each a string, number,
     * boolean or null. A list or object would let the template loop over what the client sent.
     */
    private static Map<String, Object> variables(Map<String, Object> variables) {
        if (variables == null || variables.isEmpty()) {
            return Map.of();
        }
        if (variables.size() > MAX_VARIABLES) {
            throw DomainProblem.invalid("too_many_variables", "at most " + MAX_VARIABLES + " variables a message",
                    MAX_VARIABLES);
        }
        for (Map.Entry<String, Object> variable : variables.entrySet()) {
            Object value = variable.getValue();
            if (!(value == null || value instanceof String || value instanceof Number || value instanceof Boolean)) {
                String name = String.valueOf(variable.getKey()).replaceAll("[\\r\\n]", " ");
                throw DomainProblem.invalid("invalid_variable", "the variable " + name
                        + " is not a string, number, boolean or null", name).with("variable", name);
            }
        }
        return new LinkedHashMap<>(variables);
    }

    private static List<String> recipients(OutboundMessage message) {
        LinkedHashSet<String> all = new LinkedHashSet<>();
        if (message.to() == null || message.to().isEmpty()) {
            throw DomainProblem.invalid("no_recipients", "at least one to recipient is required");
        }
        for (List<OutboundMessage.Party> group : java.util.Arrays.asList(message.to(), message.cc(), message.bcc())) {
            if (group == null) {
                continue;
            }
            for (OutboundMessage.Party party : group) {
                if (party == null || party.email() == null) {
                    throw DomainProblem.invalid("invalid_recipient", "every recipient needs an email");
                }
                try {
                    all.add(EmailAddresses.normalise(party.email()));
                } catch (DomainProblem invalid) {
                    throw DomainProblem.invalid("invalid_recipient", "not a valid recipient address: "
                            + party.email().replaceAll("[\\r\\n]", " "));
                }
            }
        }
        if (all.size() > MAX_RECIPIENTS) {
            throw DomainProblem.invalid("too_many_recipients", "at most " + MAX_RECIPIENTS + " recipients a message",
                    MAX_RECIPIENTS);
        }
        return List.copyOf(all);
    }
}
