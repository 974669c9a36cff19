package io.mailtree.access.web;

import io.mailtree.shared.web.FieldErrors;
import io.mailtree.access.Invitations;
import io.mailtree.access.Members;
import io.mailtree.access.PermissionPreset;
import io.mailtree.access.PermissionSets;
import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.UserId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The members page of an account (D-21, D-23): who has access, with which rights, invited by whom,
 * since when and last active; invite someone (to this account or, from a master, to one of its
 * sub-accounts) from a preset whose permissions can be ticked one by one; change rights, revoke,
 * resend or cancel an invitation.
 */
@Controller
@RequiresPermission(Permission.USERS)
class MemberPagesController {

    private final Members members;
    private final Invitations invitations;
    private final AccountTree accounts;
    private final Clock clock;

    MemberPagesController(Members members, Invitations invitations, AccountTree accounts, Clock clock) {
        this.members = members;
        this.invitations = invitations;
        this.accounts = accounts;
        this.clock = clock;
    }

    @GetMapping("/members")
    String page(Caller caller, @RequestParam(required = false) String account, Model model) {
        AccountId shown = target(caller, account);
        model.addAttribute("members", members.of(caller, shown));
        model.addAttribute("invitations", invitations.of(caller, shown));
        model.addAttribute("shown", accounts.require(shown));
        model.addAttribute("targets", targets(caller));
        model.addAttribute("presets", PermissionPreset.values());
        model.addAttribute("permissions", Permission.values());
        model.addAttribute("now", clock.instant());
        return "access/members";
    }

    @PostMapping("/members/invite")
    String invite(Caller caller, @RequestParam(required = false) String account,
            @RequestParam(defaultValue = "") String email, @RequestParam(required = false) String preset,
            @RequestParam(required = false) List<String> permissions, RedirectAttributes redirect) {
        AccountId target = target(caller, account);
        try {
            // Ticked boxes are the rights; with none ticked, the chosen preset's.
            var invitation = invitations.invite(caller, target, email, preset, permissions);
            redirect.addFlashAttribute("notice", "members.invited");
            redirect.addFlashAttribute("noticeArg", invitation.email());
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            redirect.addFlashAttribute("fieldErrors", new FieldErrors().addPrefixed("invite-", "invite-email", problem));
            redirect.addFlashAttribute("inviteEmail", email);
            redirect.addFlashAttribute("invitePreset", preset);
            redirect.addFlashAttribute("invitePermissions", permissions == null ? List.of() : permissions);
        }
        return back(target);
    }

    @PostMapping("/members/{userId}/permissions")
    String change(Caller caller, @PathVariable String userId, @RequestParam(required = false) String account,
            @RequestParam(required = false) List<String> permissions, RedirectAttributes redirect) {
        AccountId target = target(caller, account);
        try {
            members.change(caller, target, user(userId), PermissionSets.fromNames(null, permissions));
            redirect.addFlashAttribute("notice", "members.changed");
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            flashProblem(redirect, problem);
        }
        return back(target);
    }

    @PostMapping("/members/{userId}/revoke")
    String revoke(Caller caller, @PathVariable String userId, @RequestParam(required = false) String account,
            RedirectAttributes redirect) {
        AccountId target = target(caller, account);
        members.revoke(caller, target, user(userId));
        redirect.addFlashAttribute("notice", "members.revoked");
        return back(target);
    }

    @PostMapping("/invitations/{id}/resend")
    String resend(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        var invitation = invitations.resend(caller, invitation(id));
        redirect.addFlashAttribute("notice", "members.resent");
        redirect.addFlashAttribute("noticeArg", invitation.email());
        return back(invitation.accountId());
    }

    @PostMapping("/invitations/{id}/cancel")
    String cancel(Caller caller, @PathVariable String id, @RequestParam(required = false) String account,
            RedirectAttributes redirect) {
        invitations.cancel(caller, invitation(id));
        redirect.addFlashAttribute("notice", "members.cancelled");
        return back(target(caller, account));
    }

    /** The account a form acts on: the caller's own unless another one (a sub-account) is named. */
    private static AccountId target(Caller caller, String account) {
        if (account == null || account.isBlank()) {
            return caller.accountId();
        }
        return AccountId.parse(account.strip())
                .orElseThrow(() -> DomainProblem.notFound("account_not_found", "account"));
    }

    /** Where the invite form may send to: this account and, for a master's administrator, its sub-accounts. */
    private List<Account> targets(Caller caller) {
        List<Account> targets = new ArrayList<>();
        targets.add(accounts.require(caller.accountId()));
        if (caller.master() && caller.has(Permission.SUBACCOUNTS)) {
            targets.addAll(accounts.subaccounts(caller.accountId(), null, new PageRequest(0, 200)).items().stream()
                    .filter(Account::isActive).toList());
        }
        return targets;
    }

    private static UserId user(String text) {
        return Ids.parseUuid(text).map(UserId::new)
                .orElseThrow(() -> DomainProblem.notFound("member_not_found", "member"));
    }

    private static UUID invitation(String text) {
        return Ids.parseUuid(text).orElseThrow(() -> DomainProblem.notFound("invitation_not_found", "invitation"));
    }

    private static String back(AccountId account) {
        return "redirect:/members?account=" + account;
    }

    private static void flashProblem(RedirectAttributes redirect, DomainProblem problem) {
        redirect.addFlashAttribute("problemCode", problem.code());
        redirect.addFlashAttribute("problemArgs", problem.arguments());
    }
}
