package io.mailtree.access.api;

import io.mailtree.access.Members;
import io.mailtree.access.PermissionSets;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.UserId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who has access to an account (D-21, D-23): list, change a collaborator's rights, revoke. A master
 * names one of its sub-accounts with {@code accountId}; another account's id answers 404 (D-22).
 */
@RestController
@RequestMapping("/api/v1/members")
@RequiresPermission(Permission.USERS)
@Tag(name = "Members")
class MembersApi {

    private final Members members;

    MembersApi(Members members) {
        this.members = members;
    }

    @GetMapping
    @Operation(summary = "List who has access to the account", description = "The owner first, then collaborators.")
    List<MemberJson> list(Caller caller, @RequestParam(required = false) String accountId) {
        return members.of(caller, account(caller, accountId)).stream().map(MemberJson::of).toList();
    }

    @PatchMapping("/{userId}")
    @Operation(summary = "Change a collaborator's permissions",
            description = "Takes effect on the collaborator's next request (D-24).")
    MemberJson change(Caller caller, @PathVariable String userId, @RequestParam(required = false) String accountId,
            @RequestBody PermissionsPatch patch) {
        if (patch == null || patch.permissions() == null) {
            throw DomainProblem.invalid("no_permissions", "give the permissions").with("field", "permissions");
        }
        return MemberJson.of(members.change(caller, account(caller, accountId), user(userId),
                PermissionSets.fromNames(null, patch.permissions())));
    }

    @DeleteMapping("/{userId}")
    @Operation(summary = "Revoke a collaborator's access", description = "Their next request is refused (D-24).")
    ResponseEntity<Void> revoke(Caller caller, @PathVariable String userId,
            @RequestParam(required = false) String accountId) {
        members.revoke(caller, account(caller, accountId), user(userId));
        return ResponseEntity.noContent().build();
    }

    static AccountId account(Caller caller, String accountId) {
        if (accountId == null || accountId.isBlank()) {
            return caller.accountId();
        }
        return AccountId.parse(accountId.strip())
                .orElseThrow(() -> DomainProblem.notFound("account_not_found", "account"));
    }

    private static UserId user(String text) {
        return Ids.parseUuid(text).map(UserId::new)
                .orElseThrow(() -> DomainProblem.notFound("member_not_found", "member"));
    }

    @Schema(name = "PermissionsPatch")
    record PermissionsPatch(@Schema(description = "The new permissions, e.g. [\"CONTENT\"]") List<String> permissions) {
    }

    @Schema(name = "Member")
    record MemberJson(String userId, String email, String name, boolean owner, List<Permission> permissions,
            String invitedBy, Instant since, Instant lastActive) {

        static MemberJson of(Members.Member m) {
            return new MemberJson(m.userId().toString(), m.email(), m.name(), m.owner(),
                    m.permissions().stream().sorted().toList(), m.invitedBy(), m.since(), m.lastActive());
        }
    }
}
