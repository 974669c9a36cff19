package io.mailtree.contacts;

import io.mailtree.accounts.ContactAllowance;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Times;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * CSV imports: the upload is stored, a job row records progress, and a background worker reads,
 * checks and writes it (see {@link ImportRun}). The API answers 202 at once; the job resource is
 * polled. An import that would exceed the allowance is refused whole before anything is written
 * (D-11). An account has at most {@code mailtree.imports.max-running-per-account} imports queued or
 * running at once (default 3); one more is refused with {@code too_many_imports}, so one account
 * cannot fill the shared workers' queue and the disk with uploads.
 */
@Service
public class ContactImports {

    static final RowMapper<ImportJob> MAPPER = (rs, n) -> new ImportJob(rs.getObject("id", UUID.class),
            rs.getString("status"), rs.getString("phase"), rs.getString("file_name"), (Long) rs.getObject("list_id"),
            rs.getLong("bytes_total"), rs.getLong("bytes_read"), rs.getInt("rows_total"), rs.getInt("rows_read"),
            rs.getInt("rows_imported"), rs.getInt("rows_created"), rs.getInt("rows_updated"),
            rs.getInt("rows_unchanged"), rs.getInt("rows_invalid"), rs.getString("code"), rs.getString("message"),
            ImportRun.arguments(rs.getString("arguments")), Times.instant(rs, "created_at"),
            Times.instant(rs, "finished_at"));

    private final JdbcClient jdbc;
    private final ContactLists lists;
    private final Clock clock;
    private final ImportRun run;
    private final Path directory;
    private final long maxBytes;
    private final ExecutorService workers;
    private final int maxRunningPerAccount;
    private final TransactionTemplate transactions;

    private final ContactAllowance allowance;

    ContactImports(JdbcClient jdbc, ContactLists lists, Clock clock, ImportRun run,
            @Value("${mailtree.data-path}") String dataPath,
            @Value("${mailtree.imports.max-bytes:1073741824}") long maxBytes,
            @Value("${mailtree.imports.workers:2}") int workers,
            @Value("${mailtree.imports.max-running-per-account:3}") int maxRunningPerAccount,
            PlatformTransactionManager transactionManager, ContactAllowance allowance) {
        this.jdbc = jdbc;
        this.allowance = allowance;
        this.maxRunningPerAccount = maxRunningPerAccount;
        this.transactions = new TransactionTemplate(transactionManager);
        this.lists = lists;
        this.clock = clock;
        this.run = run;
        this.directory = Path.of(dataPath, "imports");
        this.maxBytes = maxBytes;
        this.workers = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1000),
                r -> {
                    Thread thread = new Thread(r, "contact-import");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Column roles a mapping may give: {@code email}, {@code name}, {@code ignore} or {@code property:<key>}. */
    public static Map<String, String> parseMapping(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> raw = ContactProperties.JSON.readValue(json, Map.class);
            Map<String, String> mapping = new LinkedHashMap<>();
            raw.forEach((header, role) -> mapping.put(header, String.valueOf(role)));
            return mapping;
        } catch (RuntimeException malformed) {
            throw DomainProblem.invalid("invalid_mapping",
                    "mapping must be a JSON object of column header to email, name, ignore or property:<key>")
                    .with("field", "mapping");
        }
    }

    /**
     * Stores the upload and starts the import.
     *
     * @throws DomainProblem {@code file_too_large}, {@code unsupported_charset}, {@code list_not_found},
     *                       {@code invalid_mapping}, {@code too_many_imports}, {@code not_a_csv_file}; nothing is stored then
     */
    public ImportJob start(Caller caller, String fileName, InputStream upload, Long listId, Map<String, String> mapping,
            String charset) throws IOException {
        AccountId account = caller.accountId();
        if (listId != null) {
            lists.get(account, listId);
        }
        Charset decoded = charset(charset);
        mapping.forEach((header, role) -> ImportRun.validRole(role));
        // Checked before the upload is stored (a refusal costs no disk), and again under the account's
        // row lock with the insert, so two simultaneous starts cannot both take the last place.
        refuseWhenBusy(account);
        UUID id = UUID.randomUUID();
        Files.createDirectories(directory);
        Path file = directory.resolve(id + ".csv");
        long size = store(upload, file);
        try {
            UploadedFileType.requireText(file);
        } catch (DomainProblem notText) {
            Files.deleteIfExists(file);
            throw notText;
        }
        String safeName = fileName == null ? "upload.csv" : fileName.replaceAll("[\\p{Cntrl}/\\\\]", "_");
        try {
            transactions.executeWithoutResult(status -> {
                allowance.lockForContactChanges(account);
                refuseWhenBusy(account);
                jdbc.sql("""
                        insert into contact_import (id, account_id, status, phase, file_name, list_id, bytes_total,
                            created_by, created_at)
                        values (?, ?, 'RUNNING', 'READING', ?, ?, ?, ?, ?)""")
                        .params(id, account.value(), safeName.length() > 255 ? safeName.substring(0, 255) : safeName,
                                listId, size, caller.actor(), Times.sql(clock.instant()))
                        .update();
            });
        } catch (DomainProblem busy) {
            Files.deleteIfExists(file);
            throw busy;
        }
        ImportRun.Request request = new ImportRun.Request(id, caller, file, directory.resolve(id + "-errors.csv"),
                listId, mapping, decoded);
        workers.execute(() -> run.execute(request));
        return get(account, id);
    }

    /** Refuses a new import while the account already has its maximum queued or running. */
    private void refuseWhenBusy(AccountId account) {
        long running = jdbc.sql("select count(*) from contact_import where account_id = ? and status = 'RUNNING'")
                .param(account.value()).query(Long.class).single();
        if (running >= maxRunningPerAccount) {
            throw new DomainProblem(429, "too_many_imports", "at most " + maxRunningPerAccount
                    + " imports of an account run at once; wait for one to finish", maxRunningPerAccount);
        }
    }

    public ImportJob get(AccountId account, UUID id) {
        return find(account, id).orElseThrow(() -> DomainProblem.notFound("import_not_found", "import"));
    }

    public Optional<ImportJob> find(AccountId account, UUID id) {
        return jdbc.sql("select * from contact_import where account_id = ? and id = ?").params(account.value(), id)
                .query(MAPPER).optional();
    }

    public List<ImportJob> recent(AccountId account) {
        return jdbc.sql("select * from contact_import where account_id = ? order by created_at desc limit 20")
                .param(account.value()).query(MAPPER).list();
    }

    /** The error report (line, email, code, reason) of an import, if it had invalid rows. */
    public Optional<Path> errorReport(AccountId account, UUID id) {
        ImportJob job = get(account, id);
        Path report = directory.resolve(job.id() + "-errors.csv");
        return Files.exists(report) ? Optional.of(report) : Optional.empty();
    }

    /** Imports that were running when the node stopped cannot resume: say so instead of spinning forever. */
    @EventListener(ApplicationReadyEvent.class)
    void failInterrupted() {
        jdbc.sql("""
                update contact_import set status = 'FAILED', phase = 'FINISHED', code = 'interrupted',
                    message = 'Mailtree stopped while this import was running; nothing was written. Upload it again.',
                    finished_at = ?
                where status = 'RUNNING' and created_at < ?""")
                .params(Times.sql(clock.instant()), Times.sql(clock.instant().minusSeconds(5))).update();
    }

    private long store(InputStream upload, Path file) throws IOException {
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = upload; OutputStream out = Files.newOutputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
                if (total > maxBytes) {
                    throw new DomainProblem(413, "file_too_large", "the file is larger than " + maxBytes + " bytes",
                            maxBytes).with("maxBytes", maxBytes);
                }
                out.write(buffer, 0, n);
            }
        } catch (DomainProblem | IOException failure) {
            Files.deleteIfExists(file);
            throw failure;
        }
        if (total == 0) {
            Files.deleteIfExists(file);
            throw DomainProblem.invalid("empty_file", "the file is empty").with("field", "file");
        }
        return total;
    }

    private static Charset charset(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        try {
            return Charset.forName(name.strip());
        } catch (RuntimeException unknown) {
            throw DomainProblem.invalid("unsupported_charset", "unknown charset: " + name, name).with("field", "charset");
        }
    }
}
