package io.mailtree.contacts;

import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.accounts.ContactAllowanceExceeded;
import io.mailtree.audit.AuditLog;
import io.mailtree.contacts.internal.CsvFiles;
import io.mailtree.contacts.internal.CsvReader;
import io.mailtree.contacts.internal.StagingLoader;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.RefusalArguments;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Times;
import java.io.BufferedWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One import, in three phases. READING streams the file once (bounded memory), validates each row
 * and writes the valid ones to a staging file and the invalid ones to the error report; the staging
 * file is then loaded into {@code contact_import_row} (COPY on PostgreSQL). CHECKING counts the new
 * subscribed contacts and takes them from the allowance under a row lock, or refuses the whole
 * import. WRITING merges the rows into {@code contact} and the list in the same transaction, so an
 * import is written entirely or not at all.
 */
@Component
class ImportRun {

    private static final Logger log = LoggerFactory.getLogger(ImportRun.class);
    static final int MAX_RECORD_CHARS = 64 * 1024;
    private static final int PROGRESS_EVERY = 5_000;

    private final JdbcClient jdbc;
    private final AccountTree accounts;
    private final ContactAllowance allowance;
    private final ContactProperties properties;
    private final StagingLoader loader;
    private final AuditLog audit;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final TransactionTemplate ownTransaction;

    ImportRun(JdbcClient jdbc, AccountTree accounts, ContactAllowance allowance, ContactProperties properties,
            StagingLoader loader, AuditLog audit, Clock clock, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.allowance = allowance;
        this.properties = properties;
        this.loader = loader;
        this.audit = audit;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
        this.ownTransaction = new TransactionTemplate(transactionManager);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Everything a run needs, fixed when the upload was accepted. */
    record Request(UUID id, Caller caller, Path file, Path errors, Long listId, Map<String, String> mapping,
            Charset charset) {
    }

    static void validRole(String role) {
        String value = role == null ? "" : role.strip().toLowerCase(Locale.ROOT);
        if (!(value.equals("email") || value.equals("name") || value.equals("ignore") || value.startsWith("property:"))) {
            throw DomainProblem.invalid("invalid_mapping", "a column is email, name, ignore or property:<key>, not "
                    + role).with("field", "mapping");
        }
        if (value.startsWith("property:")) {
            ContactProperties.validKey(value.substring("property:".length()));
        }
    }

    void execute(Request request) {
        try {
            long started = System.nanoTime();
            Counts direct = direct(request);
            if (direct != null) {
                log.info("import {}: {} rows read and written directly in {} ms", request.id(), direct.rowsRead,
                        (System.nanoTime() - started) / 1_000_000);
                refreshStatistics(direct);
                return;
            }
            Counts counts = read(request, () -> loader.open(request.id()));
            long read = System.nanoTime();
            phase(request.id(), "CHECKING", counts);
            transactions.executeWithoutResult(status -> write(request, counts));
            log.info("import {}: {} rows read and staged in {} ms, written in {} ms", request.id(), counts.rowsRead,
                    (read - started) / 1_000_000, (System.nanoTime() - read) / 1_000_000);
            refreshStatistics(counts);
        } catch (DomainProblem refused) {
            finish(request.id(), "REFUSED", refused.code(), refused.getMessage(), RefusalArguments.of(refused));
        } catch (CharacterCodingException notDecodable) {
            finish(request.id(), "REFUSED", request.charset() == null ? "not_utf8" : "invalid_charset",
                    request.charset() == null
                            ? "The file is not UTF-8. Save it as UTF-8, or give its charset (for example windows-1252 or Shift_JIS)."
                            : "The file does not decode as " + request.charset().name() + ".");
        } catch (Exception failure) {
            log.error("import {} failed", request.id(), failure);
            finish(request.id(), "FAILED", "import_failed", "The import failed and wrote nothing: " + failure.getClass()
                    .getSimpleName());
        } finally {
            jdbc.sql("delete from contact_import_row where import_id = ?").param(request.id()).update();
            delete(request.file());
        }
    }

    /**
     * The fast path for an account without contacts, where there is nothing to merge with: rows go
     * straight into {@code contact} with COPY inside one transaction that holds the account's lock,
     * then the allowance is checked and the transaction commits or rolls back whole. Answers null
     * when the path does not apply or the file repeats an address (the staged path then runs).
     */
    private Counts direct(Request request) throws Exception {
        AccountId account = request.caller().accountId();
        if (!loader.supportsDirect()) {
            return null;
        }
        try {
            return transactions.execute(status -> {
                allowance.lockForContactChanges(account);
                boolean empty = jdbc.sql("select count(*) from (select 1 from contact where account_id = ? limit 1) x")
                        .param(account.value()).query(Long.class).single() == 0;
                if (!empty) {
                    return null;
                }
                Instant now = clock.instant();
                Counts counts;
                try {
                    counts = read(request, () -> loader.openDirect(account.value(), Times.sql(now)).orElseThrow());
                } catch (DomainProblem | CharacterCodingException stop) {
                    throw new Stop(stop);
                } catch (Exception repeatedOrBroken) {
                    // Most likely an address repeated in the file: the staged path de-duplicates.
                    status.setRollbackOnly();
                    return null;
                }
                if (counts.mayHaveDuplicates()) {
                    status.setRollbackOnly();
                    return null;
                }
                phase(request.id(), "CHECKING", counts);
                try {
                    allowance.reserveActiveContacts(account, counts.rowsValid);
                } catch (ContactAllowanceExceeded exceeded) {
                    throw new Stop(refusal(counts.rowsValid, exceeded));
                }
                phase(request.id(), "WRITING", counts);
                for (ContactProperty property : counts.newProperties) {
                    properties.defineIfAbsent(account, property);
                }
                addToList(request, account, now, "c.account_id = ?", account.value());
                done(request, counts, counts.rowsValid, counts.rowsValid, 0);
                return counts;
            });
        } catch (Stop stop) {
            if (stop.getCause() instanceof CharacterCodingException notDecodable) {
                throw notDecodable;
            }
            throw (DomainProblem) stop.getCause();
        }
    }

    /**
     * After a large import the planner's statistics describe tables far smaller than they are, and
     * the next queries on them (sharing, list pages) get plans for the wrong size until autovacuum
     * catches up, which can take long or never come where it is off. Large imports refresh them.
     */
    private void refreshStatistics(Counts counts) {
        if (counts.rowsValid < 50_000) {
            return;
        }
        try {
            jdbc.sql("analyze contact").update();
            jdbc.sql("analyze list_member").update();
        } catch (RuntimeException notPermitted) {
            log.debug("statistics not refreshed after an import", notPermitted);
        }
    }

    /** Carries a refusal out of a transaction callback, which may only throw unchecked exceptions. */
    private static final class Stop extends RuntimeException {
        Stop(Exception cause) {
            super(cause);
        }
    }

    /** D-11's refusal of the whole import, naming the new contacts it needs and those still available. */
    private static DomainProblem refusal(long newContacts, ContactAllowanceExceeded exceeded) {
        Object available = exceeded.properties().get("available");
        return new DomainProblem(409, "contact_allowance_exceeded", "The import would add " + newContacts
                + " active contacts but only " + available + " are available; nothing was imported.", newContacts,
                available).with("requested", newContacts).with("available", available);
    }

    /** Per-run tallies. */
    static final class Counts {
        final KeyFingerprints fingerprints = new KeyFingerprints();
        List<ContactProperty> newProperties = List.of();
        long bytesRead;
        int rowsRead;
        int rowsValid;
        int rowsInvalid;

        boolean mayHaveDuplicates() {
            return fingerprints.mayHaveDuplicates();
        }
    }

    // --- READING -------------------------------------------------------------------------------

    /** Opens where the valid rows go; called only once the header is read and resolved. */
    @FunctionalInterface
    interface SinkOpener {
        StagingLoader.RowSink open() throws Exception;
    }

    private Counts read(Request request, SinkOpener opener) throws Exception {
        Counts counts = new Counts();
        AccountId account = request.caller().accountId();
        try (CountingInput counting = new CountingInput(Files.newInputStream(request.file()));
                BufferedWriter errors = Files.newBufferedWriter(request.errors(), StandardCharsets.UTF_8)) {
            CsvReader csv = CsvFiles.open(counting, request.charset());
            CsvReader.Record header = csv.next();
            if (header == null || header.tooLong()) {
                throw DomainProblem.invalid("no_email_column", "the file has no header row naming an e-mail column");
            }
            Columns columns = columns(account, header.fields(), request.mapping());
            counts.newProperties = columns.toDefine();
            errors.write("line,email,code,reason\n");
            // Opened after the header: a COPY occupies its connection, and resolving columns reads the database.
            try (StagingLoader.RowSink rows = opener.open()) {
            for (CsvReader.Record record = csv.next(); record != null; record = csv.next()) {
                counts.rowsRead++;
                String problem = null;
                String email = null;
                try {
                    if (record.tooLong()) {
                        throw DomainProblem.invalid("line_too_long", "the row is longer than " + MAX_RECORD_CHARS
                                + " characters");
                    }
                    String raw = field(record, columns.email);
                    if (raw.isBlank()) {
                        throw DomainProblem.invalid("missing_email", "the row has no e-mail address");
                    }
                    email = EmailAddresses.normalise(raw);
                    String name = columns.name < 0 ? "" : field(record, columns.name).strip();
                    if (name.length() > Contacts.NAME_MAX || name.chars().anyMatch(Character::isISOControl)) {
                        throw DomainProblem.invalid("invalid_name", "the name is longer than " + Contacts.NAME_MAX
                                + " characters or has control characters");
                    }
                    Map<String, Object> values = new TreeMap<>();
                    for (Map.Entry<ContactProperty, Integer> property : columns.properties.entrySet()) {
                        Object value = ContactProperties.typedValue(property.getKey(), field(record, property.getValue()));
                        if (value != null) {
                            values.put(property.getKey().key(), value);
                        }
                    }
                    String key = EmailAddresses.contactKey(email);
                    counts.fingerprints.add(key);
                    rows.row(record.line(), email, key, name.isEmpty() ? null : name, ContactProperties.toJson(values));
                    counts.rowsValid++;
                } catch (DomainProblem invalid) {
                    problem = invalid.code();
                    counts.rowsInvalid++;
                    errors.write(Integer.toString(record.line()));
                    errors.write(',');
                    csv(errors, CsvExport.safe(truncate(email != null ? email
                            : record.tooLong() ? "" : field(record, columns.email))));
                    errors.write(',');
                    errors.write(problem);
                    errors.write(',');
                    csv(errors, invalid.getMessage());
                    errors.write('\n');
                }
                if (counts.rowsRead % PROGRESS_EVERY == 0) {
                    counts.bytesRead = counting.count;
                    progress(request.id(), counts);
                }
            }
            counts.bytesRead = counting.count;
            rows.finish();
            }
        }
        if (counts.rowsInvalid == 0) {
            delete(request.errors());
        }
        return counts;
    }

    /** Which column holds what: the caller's mapping, or the headers read by name. */
    private record Columns(int email, int name, Map<ContactProperty, Integer> properties, List<ContactProperty> toDefine) {
    }

    private Columns columns(AccountId account, List<String> headers, Map<String, String> mapping) {
        Map<String, ContactProperty> defined = properties.byKey(account);
        int email = -1;
        int name = -1;
        Map<ContactProperty, Integer> props = new HashMap<>();
        List<ContactProperty> toDefine = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            String header = headers.get(i).strip();
            String role = mapping.isEmpty() ? guess(header, defined) : mapping.getOrDefault(header, "ignore");
            role = role.strip().toLowerCase(Locale.ROOT);
            if (role.equals("email") && email < 0) {
                email = i;
            } else if (role.equals("name") && name < 0) {
                name = i;
            } else if (role.startsWith("property:")) {
                String key = role.substring("property:".length());
                ContactProperty property = defined.get(key);
                if (property == null) {
                    // Defined with the import's writes, so a refused import leaves no trace.
                    property = new ContactProperty(key, header.isBlank() || header.length() > 100 ? key : header,
                            PropertyType.TEXT);
                    defined.put(key, property);
                    toDefine.add(property);
                }
                props.put(property, i);
            }
        }
        if (email < 0) {
            throw DomainProblem.invalid("no_email_column",
                    "no column holds the e-mail address: name it email, or map one column to email");
        }
        return new Columns(email, name, props, toDefine);
    }

    /** Reads a header the way people write them; other headers become properties while there is room. */
    private static String guess(String header, Map<String, ContactProperty> defined) {
        String role = CsvFiles.guessRole(header);
        if (role != null) {
            return role;
        }
        String key = CsvFiles.propertyKey(header);
        if (key != null && (defined.containsKey(key) || defined.size() < ContactProperties.MAX_PROPERTIES)) {
            return "property:" + key;
        }
        return "ignore";
    }

    // --- CHECKING and WRITING ------------------------------------------------------------------

    private void write(Request request, Counts counts) {
        AccountId account = request.caller().accountId();
        Instant now = clock.instant();
        long t0 = System.nanoTime();
        boolean emptyAccount = jdbc.sql("select count(*) from (select 1 from contact where account_id = ? limit 1) x")
                .param(account.value()).query(Long.class).single() == 0;
        long newContacts = emptyAccount && !counts.mayHaveDuplicates() ? counts.rowsValid : jdbc.sql("""
                select count(distinct s.email_key) from contact_import_row s
                where s.import_id = ? and not exists (
                    select 1 from contact c where c.account_id = ? and c.email_key = s.email_key)""")
                .params(request.id(), account.value()).query(Long.class).single();
        try {
            allowance.reserveActiveContacts(account, newContacts);
        } catch (ContactAllowanceExceeded exceeded) {
            throw refusal(newContacts, exceeded);
        }
        phase(request.id(), "WRITING", counts);
        long t1 = System.nanoTime();
        for (ContactProperty property : counts.newProperties) {
            properties.defineIfAbsent(account, property);
        }
        long distinct = !counts.mayHaveDuplicates() ? counts.rowsValid
                : jdbc.sql("select count(distinct email_key) from contact_import_row where import_id = ?")
                        .param(request.id()).query(Long.class).single();
        int merged = loader.upsert(jdbc, request.id(), account.value(), Times.sql(now), counts.mayHaveDuplicates());
        int updated = (int) (merged - newContacts);
        log.debug("import {}: counted new in {} ms, merged in {} ms", request.id(), (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000);
        addToList(request, account, now, "c.email_key in (select r.email_key from contact_import_row r where r.import_id = ?)",
                request.id());
        done(request, counts, distinct, newContacts, updated);
    }

    /** Adds the imported contacts (those matching {@code which}) to the import's list, if it has one. */
    private void addToList(Request request, AccountId account, Instant now, String which, Object whichParam) {
        if (request.listId() == null) {
            return;
        }
        int added = jdbc.sql("""
                insert into list_member (list_id, contact_id, account_id, added_at)
                select ?, c.id, ?, ? from contact c
                where c.account_id = ? and %s
                and not exists (select 1 from list_member m where m.list_id = ? and m.contact_id = c.id)"""
                .formatted(which))
                .params(request.listId(), account.value(), Times.sql(now), account.value(), whichParam, request.listId())
                .update();
        jdbc.sql("update contact_list set member_count = member_count + ?, updated_at = ? where id = ? and account_id = ?")
                .params(added, Times.sql(now), request.listId(), account.value()).update();
    }

    private void done(Request request, Counts counts, long imported, long created, int updated) {
        AccountId account = request.caller().accountId();
        jdbc.sql("""
                update contact_import set status = 'DONE', phase = 'FINISHED', bytes_read = bytes_total,
                    rows_total = ?, rows_read = ?, rows_imported = ?, rows_created = ?, rows_updated = ?,
                    rows_unchanged = ?, rows_invalid = ?, finished_at = ?
                where id = ?""")
                .params(counts.rowsRead, counts.rowsRead, imported, created, updated, imported - created - updated,
                        counts.rowsInvalid, Times.sql(clock.instant()), request.id())
                .update();
        audit.record(request.caller(), accounts.require(account).rootId(), account, "contacts.imported", "import",
                request.id().toString(), created + " created, " + updated + " updated, " + counts.rowsInvalid
                        + " invalid");
    }

    // --- bookkeeping ---------------------------------------------------------------------------

    private void progress(UUID id, Counts counts) {
        ownTransaction.executeWithoutResult(status -> jdbc.sql("update contact_import set bytes_read = ?, rows_read = ?, rows_invalid = ? where id = ?")
                .params(counts.bytesRead, counts.rowsRead, counts.rowsInvalid, id).update());
    }

    /** Progress is written in a transaction of its own, so pollers see it while the import's is open. */
    private void phase(UUID id, String phase, Counts counts) {
        ownTransaction.executeWithoutResult(status -> jdbc.sql("""
                update contact_import set phase = ?, bytes_read = ?, rows_read = ?, rows_total = ?, rows_invalid = ?
                where id = ?""")
                .params(phase, counts.bytesRead, counts.rowsRead, counts.rowsRead, counts.rowsInvalid, id).update());
    }

    private void finish(UUID id, String status, String code, String message) {
        finish(id, status, code, message, Map.of());
    }

    private void finish(UUID id, String status, String code, String message, Map<String, Object> arguments) {
        jdbc.sql("""
                update contact_import set status = ?, phase = 'FINISHED', code = ?, message = ?, arguments = ?,
                    finished_at = ?
                where id = ?""")
                .params(status, code, message.length() > 1000 ? message.substring(0, 1000) : message,
                        arguments.isEmpty() ? null : ContactProperties.JSON.writeValueAsString(arguments),
                        Times.sql(clock.instant()), id)
                .update();
    }

    /** The refusal arguments of a job as stored by {@link #finish}; empty when it has none. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> arguments(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(ContactProperties.JSON.readValue(json, Map.class));
    }

    private static String field(CsvReader.Record record, int index) {
        return index < record.fields().size() ? record.fields().get(index) : "";
    }

    private static void csv(BufferedWriter out, String value) throws IOException {
        out.write('"');
        out.write(value.replace("\"", "\"\""));
        out.write('"');
    }

    private static String truncate(String value) {
        return value == null ? "" : value.length() > 254 ? value.substring(0, 254) : value;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temporary file is harmless
        }
    }

    /** Counts bytes read, for the progress bar. */
    private static final class CountingInput extends FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
