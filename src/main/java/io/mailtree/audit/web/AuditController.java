package io.mailtree.audit.web;

import io.mailtree.audit.AuditLog;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.TimeZones;
import io.mailtree.shared.web.ViewFormat;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The audit log page (D-32): a master sees its whole tree, a sub-account itself. The reader narrows
 * it by actor, action and period and exports what it narrowed to as CSV. The period's dates are
 * calendar days of the reader's zone (its browser's, {@link ViewFormat#zone}), both ends included: the
 * entries it sees on the page as "25 Oct" are the ones a filter on 25 October finds, whatever the
 * zone and even on the day the clocks change.
 */
@Controller
@RequiresPermission(Permission.ACCOUNT_SETTINGS)
class AuditController {

    /** The export stops here: 50 pages of 200 lines. */
    static final int EXPORT_MAX_PAGES = 50;

    private final AuditLog audit;
    private final AuditView view;
    private final MessageSource messages;
    private final ViewFormat fmt;

    AuditController(AuditLog audit, AuditView view, MessageSource messages, ViewFormat fmt) {
        this.fmt = fmt;
        this.audit = audit;
        this.view = view;
        this.messages = messages;
    }

    @GetMapping("/audit")
    String list(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to, Model model) {
        AuditLog.Filter filter = filter(actor, action, from, to, fmt.zone());
        model.addAttribute("entries", audit.list(caller.accountId(), caller.master(), filter,
                new PageRequest(Math.max(page, 0), 50)));
        model.addAttribute("actions", audit.actions(caller.accountId(), caller.master()));
        model.addAttribute("filterActor", actor);
        model.addAttribute("filterAction", action);
        model.addAttribute("filterFrom", filter.from() == null ? null : from.strip());
        model.addAttribute("filterTo", filter.to() == null ? null : to.strip());
        model.addAttribute("filtered", filter.actor() != null || filter.action() != null || filter.from() != null
                || filter.to() != null);
        return "audit/list";
    }

    @GetMapping("/audit/export.csv")
    void export(Caller caller, @RequestParam(required = false) String actor,
            @RequestParam(required = false) String action, @RequestParam(required = false) String from,
            @RequestParam(required = false) String to, HttpServletResponse response) throws IOException {
        AuditLog.Filter filter = filter(actor, action, from, to, fmt.zone());
        Locale locale = LocaleContextHolder.getLocale();
        ZoneId zone = fmt.zone();
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"audit-log.csv\"");
        Writer out = new java.io.OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8);
        out.write('\uFEFF'); // spreadsheets read the file as UTF-8 only with the byte order mark
        line(out, text("audit.when", locale), text("audit.who", locale), text("audit.account", locale),
                text("audit.action", locale), "code", text("audit.context", locale), text("audit.detail", locale),
                text("audit.address", locale));
        for (int page = 0; page < EXPORT_MAX_PAGES; page++) {
            PageOf<AuditLog.AuditEntry> entries = audit.list(caller.accountId(), caller.master(), filter,
                    new PageRequest(page, PageRequest.MAX_SIZE));
            for (AuditLog.AuditEntry e : entries.items()) {
                // ISO 8601 with the reader's offset: what the page shows, and still sortable and machine-readable.
                line(out, java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                        e.occurredAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).atZone(zone)), e.actor(), e.accountName(),
                        messages.getMessage("audit.action." + e.action(), null, e.action(), locale), e.action(),
                        messages.getMessage("audit.context." + e.context(), null, e.context(), locale), e.detail(),
                        view.address(e.remoteAddress()));
            }
            if (!entries.hasNext()) {
                break;
            }
        }
        out.flush();
    }

    private String text(String code, Locale locale) {
        return messages.getMessage(code, null, code, locale);
    }

    private static void line(Writer out, String... cells) throws IOException {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            String cell = cells[i] == null ? "" : cells[i];
            // A leading =, +, - or @ would be a formula in a spreadsheet: quoted with a leading apostrophe.
            if (!cell.isEmpty() && "=+-@".indexOf(cell.charAt(0)) >= 0) {
                cell = "'" + cell;
            }
            out.write('"' + cell.replace("\"", "\"\"") + '"');
        }
        out.write("\r\n");
    }

    /**
     * From the start of {@code from} to the end of {@code to}, both days of {@code zone}; unreadable
     * dates do not narrow (the form's date fields send yyyy-MM-dd).
     */
    static AuditLog.Filter filter(String actor, String action, String from, String to, ZoneId zone) {
        return new AuditLog.Filter(blankToNull(actor), blankToNull(action), day(from, 0, zone), day(to, 1, zone));
    }

    private static Instant day(String text, int plusDays, ZoneId zone) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return TimeZones.startOf(LocalDate.parse(text.strip()).plusDays(plusDays), zone);
        } catch (DateTimeParseException unreadable) {
            return null;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
