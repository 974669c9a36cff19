package io.mailtree.keys.web;

import io.mailtree.shared.web.FieldErrors;
import io.mailtree.accounts.SubaccountNotFound;
import io.mailtree.keys.IssuedKey;
import io.mailtree.keys.KeyLabel;
import io.mailtree.keys.KeyManagement;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.MastersOnly;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The keys page (D-17): the keys of the account and, for a master, of each sub-account, with their
 * last use. A master creates, renames, relabels, revokes and rotates them here; a sub-account sees
 * its keys without those actions, and a form posted anyway is refused by the service
 * ({@code masters_only}). A new secret travels to the next page as a flash attribute, so it is shown
 * once: reloading the page no longer has it.
 */
@Controller
@RequiresPermission(Permission.API_KEYS)
class KeysPageController {

    /** The grace periods offered when rotating, in minutes (the API takes any value up to 24 hours). */
    static final List<Integer> GRACE_CHOICES = List.of(0, 15, 60, 240, 720, 1440);

    private final KeyManagement keys;

    KeysPageController(KeyManagement keys) {
        this.keys = keys;
    }

    @GetMapping("/keys")
    String list(Caller caller, @RequestParam(required = false) String account, Model model) {
        AccountId only = account == null || account.isBlank() ? null
                : AccountId.parse(account.strip()).orElseThrow(SubaccountNotFound::new);
        model.addAttribute("keys", keys.list(caller, only));
        model.addAttribute("master", caller.master());
        model.addAttribute("owners", caller.master() ? keys.owners(caller) : List.of());
        model.addAttribute("selectedAccount", only == null ? "" : only.toString());
        model.addAttribute("labels", KeyLabel.values());
        model.addAttribute("graceChoices", GRACE_CHOICES);
        model.addAttribute("graceDefault", (int) KeyManagement.GRACE_DEFAULT.toMinutes());
        model.addAttribute("nameMax", KeyManagement.NAME_MAX);
        return "keys/keys";
    }

    @PostMapping("/keys")
    String create(Caller caller, @RequestParam(required = false) String account,
            @RequestParam(defaultValue = "") String name, @RequestParam(required = false) String label,
            RedirectAttributes redirect) {
        try {
            IssuedKey issued = keys.create(caller, account, name, label);
            showSecretOnce(redirect, issued, "keys.createdNotice");
        } catch (DomainProblem problem) {
            if (problem.status() == 404 || problem instanceof MastersOnly) {
                throw problem;
            }
            // Each beside its field in the creation form (inputs new-key-name, new-key-label, new-key-account).
            redirect.addFlashAttribute("fieldErrors", new FieldErrors().addPrefixed("new-key-", "new-key-name", problem));
            redirect.addFlashAttribute("newKeyName", name);
            redirect.addFlashAttribute("newKeyLabel", label);
            redirect.addFlashAttribute("newKeyAccount", account);
        }
        return "redirect:/keys";
    }

    @PostMapping("/keys/{id}/edit")
    String change(Caller caller, @PathVariable String id, @RequestParam(required = false) String name,
            @RequestParam(required = false) String label, RedirectAttributes redirect) {
        return act(redirect, () -> {
            var key = keys.change(caller, id, name, label);
            redirect.addFlashAttribute("notice", "keys.saved");
            redirect.addFlashAttribute("noticeArg", key.name());
        });
    }

    @PostMapping("/keys/{id}/revoke")
    String revoke(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        return act(redirect, () -> {
            var key = keys.revoke(caller, id);
            redirect.addFlashAttribute("notice", "keys.revoked");
            redirect.addFlashAttribute("noticeArg", key.name());
        });
    }

    @PostMapping("/keys/{id}/rotate")
    String rotate(Caller caller, @PathVariable String id, @RequestParam(required = false) String graceMinutes,
            RedirectAttributes redirect) {
        return act(redirect, () -> {
            IssuedKey issued = keys.rotate(caller, id, grace(graceMinutes));
            showSecretOnce(redirect, issued, "keys.rotatedNotice");
        });
    }

    private static Duration grace(String minutes) {
        if (minutes == null || minutes.isBlank()) {
            return null;
        }
        try {
            long value = Long.parseLong(minutes.strip());
            return Duration.ofMinutes(Math.max(-1, Math.min(value, KeyManagement.GRACE_MAX.toMinutes() + 1)));
        } catch (NumberFormatException notANumber) {
            throw DomainProblem.invalid("invalid_grace_period", "the grace period is a number of minutes");
        }
    }

    private static void showSecretOnce(RedirectAttributes redirect, IssuedKey issued, String notice) {
        redirect.addFlashAttribute("secretNotice", notice);
        redirect.addFlashAttribute("secretKeyName", issued.key().name());
        redirect.addFlashAttribute("secretPublicKey", issued.key().publicKey());
        redirect.addFlashAttribute("secret", issued.secret());
        redirect.addFlashAttribute("previousSecretValidUntil", issued.key().previousSecretValidUntil());
    }

    /**
     * Runs an act and comes back to the list with its outcome. A key or account out of reach and a
     * sub-account's attempt render the error page with their status (404, 403); a refused input is
     * told on the list and changes nothing.
     */
    private static String act(RedirectAttributes redirect, Runnable act) {
        try {
            act.run();
        } catch (DomainProblem problem) {
            if (problem.status() == 404 || problem instanceof MastersOnly) {
                throw problem;
            }
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/keys";
    }
}
