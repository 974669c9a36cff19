package io.mailtree.tracking.api;

import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.tracking.WebhookEndpoint;
import io.mailtree.tracking.WebhookEndpoints;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/webhooks}: the account's webhook endpoints, their secrets, test events and delivery
 * log. Deliveries are signed with the Standard Webhooks scheme ({@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature: v1,<base64 HMAC-SHA256>}).
 */
@RestController
@RequestMapping("/api/v1/webhooks")
@RequiresPermission(Permission.API_KEYS)
@Tag(name = "Webhooks")
class WebhooksApi {

    private final WebhookEndpoints endpoints;

    WebhooksApi(WebhookEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Schema(name = "WebhookEndpoint")
    record EndpointJson(String id, String url, String description, List<String> eventTypes, boolean enabled,
            @Schema(description = "GONE when disabled because the endpoint answered 410; BY_USER; null when enabled")
            String disabledReason, Instant previousSecretUntil, Instant createdAt, Instant updatedAt,
            @Schema(description = "only in the answers to creation and rotation") String secret) {

        static EndpointJson of(WebhookEndpoint e, String secret) {
            return new EndpointJson(e.id().toString(), e.url(), e.description(), e.eventTypes(), e.enabled(),
                    e.disabledReason(), e.previousSecretUntil(), e.createdAt(), e.updatedAt(), secret);
        }
    }

    @Schema(name = "WebhookEndpointRequest")
    record EndpointRequest(String url, @Schema(description = "message.delivered, message.deferred, message.bounced,"
            + " message.complained, message.suppressed, key.warned, key.paused, key.resumed") List<String> eventTypes,
            String description, Boolean enabled) {
    }

    @Schema(name = "WebhookRotation")
    record RotationRequest(@Schema(description = "hours the old secret keeps signing beside the new one, 0 to 24;"
            + " 24 by default") Integer graceHours) {
    }

    @GetMapping
    List<EndpointJson> list(Caller caller) {
        return endpoints.list(caller.accountId()).stream().map(e -> EndpointJson.of(e, null)).toList();
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    EndpointJson create(Caller caller, @RequestBody EndpointRequest request) {
        WebhookEndpoints.Created created = endpoints.create(caller.accountId(), request.url(), request.eventTypes(),
                request.description());
        if (Boolean.FALSE.equals(request.enabled())) {
            return EndpointJson.of(endpoints.update(caller.accountId(), created.endpoint().id().toString(), null, null,
                    null, false), created.secret());
        }
        return EndpointJson.of(created.endpoint(), created.secret());
    }

    @GetMapping("/{id}")
    EndpointJson get(Caller caller, @PathVariable String id) {
        return EndpointJson.of(endpoints.find(caller.accountId(), id), null);
    }

    @PatchMapping("/{id}")
    EndpointJson update(Caller caller, @PathVariable String id, @RequestBody EndpointRequest request) {
        return EndpointJson.of(endpoints.update(caller.accountId(), id, request.url(), request.eventTypes(),
                request.description(), request.enabled()), null);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String id) {
        endpoints.delete(caller.accountId(), id);
    }

    @GetMapping("/{id}/secret")
    Map<String, String> secret(Caller caller, @PathVariable String id) {
        return Map.of("secret", endpoints.secret(caller.accountId(), id));
    }

    @PostMapping("/{id}/rotate-secret")
    EndpointJson rotate(Caller caller, @PathVariable String id, @RequestBody(required = false) RotationRequest request) {
        int hours = request == null || request.graceHours() == null ? 24 : request.graceHours();
        if (hours < 0 || hours > 24) {
            throw DomainProblem.invalid("webhook_grace_invalid", "the grace period is between 0 and 24 hours", 24);
        }
        WebhookEndpoints.Created rotated = endpoints.rotateSecret(caller.accountId(), id, Duration.ofHours(hours));
        return EndpointJson.of(rotated.endpoint(), rotated.secret());
    }

    @PostMapping("/{id}/test")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Map<String, Object> test(Caller caller, @PathVariable String id) {
        return Map.of("deliveryId", endpoints.sendTest(caller.accountId(), id));
    }

    @GetMapping("/{id}/deliveries")
    List<WebhookEndpoints.Delivery> deliveries(Caller caller, @PathVariable String id,
            @RequestParam(defaultValue = "50") int limit) {
        return endpoints.deliveries(caller.accountId(), id, limit);
    }
}
