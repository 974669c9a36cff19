package io.mailtree.access.api;

import io.mailtree.access.Invitations;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Invitations of collaborators (D-21): invite an address to the account (or, from a master, to one
 * of its sub-accounts) with a preset and/or named permissions (D-23), list, resend, cancel.
 */
@RestController
@RequestMapping("/api/v1/invitations")
@RequiresPermission(Permission.USERS)
@Tag(name = "Members")
class InvitationsApi {

    private final Invitations invitations;
    private final Clock clock;

    InvitationsApi(Invitations invitations, Clock clock) {
        this.invitations = invitations;
        this.clock = clock;
    }

    @GetMapping
    @Operation(summary = "List the account's invitations", description = "Newest first, with their status.")
    List<InvitationJson> list(Caller caller, @RequestParam(required = false) String accountId) {
        return invitations.of(caller, MembersApi.account(caller, accountId)).stream().map(this::json).toList();
    }

    @PostMapping
    @Operation(summary = "Invite a collaborator",
            description = "E-mails a signed link valid 7 days that works once. permissions, when given, are the "
                    + "rights; otherwise the preset's (ADMINISTRATOR, MARKETER, DESIGNER, DEVELOPER, ACCOUNTANT, "
                    + "READ_ONLY).")
    ResponseEntity<InvitationJson> invite(Caller caller, @RequestBody InvitationRequest request) {
        if (request == null) {
            throw DomainProblem.invalid("invalid_email", "give the address to invite").with("field", "email");
        }
        var invitation = invitations.invite(caller, MembersApi.account(caller, request.accountId()), request.email(),
                request.preset(), request.permissions());
        return ResponseEntity.status(HttpStatus.CREATED).body(json(invitation));
    }

    @PostMapping("/{id}/resend")
    @Operation(summary = "Resend an invitation", description = "A fresh link and expiry; the older links stop working.")
    InvitationJson resend(Caller caller, @PathVariable String id) {
        return json(invitations.resend(caller, id(id)));
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Cancel an invitation", description = "Its link stops working at once.")
    ResponseEntity<Void> cancel(Caller caller, @PathVariable String id) {
        invitations.cancel(caller, id(id));
        return ResponseEntity.noContent().build();
    }

    private static UUID id(String text) {
        return Ids.parseUuid(text).orElseThrow(() -> DomainProblem.notFound("invitation_not_found", "invitation"));
    }

    private InvitationJson json(Invitations.Invitation i) {
        return new InvitationJson(i.id().toString(), i.accountId().toString(), i.email(),
                i.permissions().stream().sorted().toList(), i.invitedBy(), i.status(clock.instant()).name(),
                i.createdAt(), i.sentAt(), i.expiresAt());
    }

    @Schema(name = "InvitationRequest")
    record InvitationRequest(@Schema(description = "Address to invite") String email,
            @Schema(description = "The account to open: the caller's (default) or one of a master's sub-accounts")
            String accountId,
            @Schema(description = "A preset, used when permissions is empty") String preset,
            @Schema(description = "The rights, e.g. [\"CONTENT\", \"STATISTICS\"]") List<String> permissions) {
    }

    @Schema(name = "Invitation")
    record InvitationJson(String id, String accountId, String email, List<Permission> permissions, String invitedBy,
            String status, Instant createdAt, Instant sentAt, Instant expiresAt) {
    }
}
