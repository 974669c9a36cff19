package io.mailtree.audit.web;

import io.mailtree.audit.AuditLog;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The audit log page (D-32): a master sees its whole tree, a sub-account itself. */
@Controller
@RequiresPermission(Permission.ACCOUNT_SETTINGS)
class AuditController {

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/audit")
    String list(Caller caller, @RequestParam(defaultValue = "0") int page, Model model) {
        model.addAttribute("entries", audit.list(caller.accountId(), caller.master(), new PageRequest(Math.max(page, 0), 50)));
        return "audit/list";
    }
}
