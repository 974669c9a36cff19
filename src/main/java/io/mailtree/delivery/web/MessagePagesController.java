package io.mailtree.delivery.web;

import io.mailtree.delivery.Messages;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.TimeZones;
import io.mailtree.shared.web.ViewFormat;
import io.mailtree.delivery.MessageStatus;
import io.mailtree.shared.outcomes.OutcomeType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The Messages page: what the account sent through the API or SMTP, searched by recipient, status
 * and a range of days (UTC), newest first, with an "Older" link; and one message with its event
 * timeline. "Older" passes the id of the oldest message shown, and the next page starts after it.
 */
@Controller
@RequiresPermission(Permission.STATISTICS)
class MessagePagesController {

    static final int PAGE = 50;
    static final List<String> STATUSES = java.util.Arrays.stream(MessageStatus.values()).map(MessageStatus::name).toList();

    private final Messages messages;
    private final ViewFormat fmt;

    MessagePagesController(Messages messages, ViewFormat fmt) {
        this.messages = messages;
        this.fmt = fmt;
    }

    @GetMapping("/messages")
    String list(Caller caller, @RequestParam(defaultValue = "") String recipient,
            @RequestParam(defaultValue = "") String status, @RequestParam(defaultValue = "") String from,
            @RequestParam(defaultValue = "") String to, @RequestParam(defaultValue = "") String before, Model model) {
        String knownStatus = status(status);
        model.addAttribute("recipient", recipient.strip());
        model.addAttribute("status", knownStatus);
        model.addAttribute("from", from.strip());
        model.addAttribute("to", to.strip());
        model.addAttribute("statuses", STATUSES);
        model.addAttribute("filtered", !recipient.isBlank() || knownStatus != null || !from.isBlank() || !to.isBlank());
        List<Messages.Summary> found = List.of();
        String older = null;
        String cursor = before.isBlank() ? null : before.strip();
        try {
            // Calendar days of the reader's zone, the "to" day included (23 or 25 hours when the clocks change).
            ZoneId zone = fmt.zone();
            LocalDate first = day(from, "from");
            LocalDate last = day(to, "to");
            Instant since = first == null ? null : TimeZones.startOf(first, zone);
            Instant until = last == null ? null : TimeZones.endOf(last, zone);
            found = messages.search(caller.accountId(), recipient, knownStatus, since, until, null, cursor, PAGE + 1);
            if (found.size() > PAGE) {
                found = found.subList(0, PAGE);
                older = found.get(found.size() - 1).id();
            }
        } catch (DomainProblem problem) {
            if (problem.status() == 404 || problem.status() == 403) {
                throw problem;
            }
            model.addAttribute("problem", problem);
        }
        model.addAttribute("messages", found);
        model.addAttribute("before", cursor);
        model.addAttribute("older", older);
        return "delivery/messages";
    }

    @GetMapping("/messages/{id}")
    String message(Caller caller, @PathVariable String id, Model model) {
        Messages.Detail detail = messages.get(caller.accountId(), id);
        model.addAttribute("detail", detail);
        model.addAttribute("message", detail.message());
        model.addAttribute("events", detail.events().stream().map(EventView::of).toList());
        return "delivery/message";
    }

    /**
     * An event as the timeline shows it. The ACCEPTED event's recipient count is a number the page
     * translates; its English detail ("3 recipients") is never shown or read back.
     */
    record EventView(String type, String recipient, String detail, Integer recipients, Instant occurredAt) {

        static EventView of(Messages.Event event) {
            if (OutcomeType.ACCEPTED.name().equals(event.type())) {
                return new EventView(event.type(), event.recipient(), null, event.recipients(), event.occurredAt());
            }
            return new EventView(event.type(), event.recipient(), event.detail(), null, event.occurredAt());
        }
    }

    /** A known status, upper-cased; anything else means any status. */
    static String status(String status) {
        String value = status == null ? "" : status.strip().toUpperCase(Locale.ROOT);
        return STATUSES.contains(value) ? value : null;
    }

    /** A day as a date field posts it ({@code 2026-11-25}); blank means none. */
    private static LocalDate day(String text, String field) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(text.strip());
        } catch (DateTimeParseException unreadable) {
            throw DomainProblem.invalid("invalid_time", "dates are written as 2026-11-25").with("field", field);
        }
    }

}
