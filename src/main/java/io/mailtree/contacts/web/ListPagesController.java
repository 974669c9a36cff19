package io.mailtree.contacts.web;

import io.mailtree.shared.web.FieldErrors;
import io.mailtree.accounts.sharing.SharePicker;
import io.mailtree.contacts.ContactList;
import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.contacts.Sharing;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Lists with their member counts; a list's page with its members (keyset), adding members by
 * pasting addresses, removing them, CSV export, and sharing the list with sub-accounts (D-26).
 */
@Controller
@RequiresPermission(Permission.CONTACTS)
class ListPagesController {

    private final ContactLists lists;
    private final Contacts contacts;
    private final Sharing sharing;
    private final SharePicker sharePicker;

    ListPagesController(ContactLists lists, Contacts contacts, Sharing sharing, SharePicker sharePicker) {
        this.lists = lists;
        this.contacts = contacts;
        this.sharing = sharing;
        this.sharePicker = sharePicker;
    }

    @GetMapping("/lists")
    String lists(Caller caller, @RequestParam(defaultValue = "0") int page, Model model) {
        prepareLists(caller, page, model);
        return "contacts/lists";
    }

    @PostMapping("/lists")
    String create(Caller caller, @RequestParam(defaultValue = "") String name, Model model,
            RedirectAttributes redirect) {
        try {
            ContactList list = lists.create(caller, name);
            redirect.addFlashAttribute("notice", "lists.createdNotice");
            redirect.addFlashAttribute("noticeArg", list.name());
            return "redirect:/lists/" + list.id();
        } catch (DomainProblem problem) {
            model.addAttribute("fieldErrors", new FieldErrors().addOr("name", problem));
            model.addAttribute("name", name);
            prepareLists(caller, 0, model);
            return "contacts/lists";
        }
    }

    @GetMapping("/lists/{id}")
    String list(Caller caller, @PathVariable String id, @RequestParam(required = false) String cursor,
            Model model) {
        prepareList(caller, listId(id), cursor, model);
        return "contacts/list";
    }

    @PostMapping("/lists/{id}/rename")
    String rename(Caller caller, @PathVariable String id, @RequestParam(defaultValue = "") String name,
            RedirectAttributes redirect) {
        long listId = listId(id);
        try {
            ContactList list = lists.rename(caller, listId, name);
            redirect.addFlashAttribute("notice", "lists.renamed");
            redirect.addFlashAttribute("noticeArg", list.name());
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            redirect.addFlashAttribute("fieldErrors", new FieldErrors().add("rename-name", problem));
            redirect.addFlashAttribute("renameName", name);
        }
        return "redirect:/lists/" + listId;
    }

    @PostMapping("/lists/{id}/delete")
    String delete(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        long listId = listId(id);
        ContactList list = lists.get(caller.accountId(), listId);
        lists.delete(caller, listId);
        redirect.addFlashAttribute("notice", "lists.deleted");
        redirect.addFlashAttribute("noticeArg", list.name());
        return "redirect:/lists";
    }

    /** Adds the pasted addresses (one a line; commas and semicolons also separate), creating missing contacts. */
    @PostMapping("/lists/{id}/members")
    String addMembers(Caller caller, @PathVariable String id, @RequestParam(defaultValue = "") String emails,
            Model model, RedirectAttributes redirect) {
        long listId = listId(id);
        try {
            List<String> addresses = Arrays.stream(emails.split("[\\r\\n,;]+")).map(String::strip)
                    .filter(s -> !s.isEmpty()).toList();
            ContactLists.AddResult result = lists.addEmails(caller.accountId(), listId, addresses);
            redirect.addFlashAttribute("addResult", result);
            return "redirect:/lists/" + listId;
        } catch (DomainProblem problem) {
            if (problem.status() == 404 && "list_not_found".equals(problem.code())) {
                throw problem;
            }
            model.addAttribute("problem", problem);
            model.addAttribute("emails", emails);
            prepareList(caller, listId, null, model);
            return "contacts/list";
        }
    }

    @PostMapping("/lists/{id}/remove")
    String removeMembers(Caller caller, @PathVariable String id,
            @RequestParam(name = "contactId", required = false) List<Long> contactIds, RedirectAttributes redirect) {
        long listId = listId(id);
        try {
            int removed = lists.removeContactIds(caller.accountId(), listId, contactIds == null ? List.of() : contactIds);
            redirect.addFlashAttribute("notice", "list.removed");
            redirect.addFlashAttribute("noticeArg", removed);
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/lists/" + listId;
    }

    @PostMapping("/lists/{id}/share")
    String share(Caller caller, @PathVariable String id,
            @RequestParam(name = "subaccountId", required = false) List<String> targets, RedirectAttributes redirect) {
        long listId = listId(id);
        sharePicker.flash(caller, redirect,
                () -> sharing.shareList(caller, listId, targets == null ? List.of() : targets));
        return "redirect:/lists/" + listId + "#share";
    }

    private void prepareLists(Caller caller, int page, Model model) {
        model.addAttribute("lists", lists.list(caller.accountId(), new PageRequest(Math.max(page, 0), 50)));
        model.addAttribute("q", null);
    }

    private void prepareList(Caller caller, long listId, String cursor, Model model) {
        ContactList list = lists.get(caller.accountId(), listId);
        model.addAttribute("list", list);
        model.addAttribute("members", contacts.search(caller.accountId(),
                new Contacts.Query(null, null, listId, null, null), cursor, ContactPagesController.PAGE));
        model.addAttribute("cursor", cursor == null || cursor.isBlank() ? null : cursor);
        model.addAttribute("maxBatch", ContactLists.MAX_BATCH);
        sharePicker.addTargets(caller, model);
    }

    private static long listId(String id) {
        return WebIds.parse(id, "list_not_found", "list");
    }
}
