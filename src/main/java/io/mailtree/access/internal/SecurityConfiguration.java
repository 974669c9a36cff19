package io.mailtree.access.internal;

import io.mailtree.access.SignedInOperator;
import io.mailtree.access.Members;
import io.mailtree.access.TwoFactor;
import io.mailtree.access.TwoFactorPending;
import io.mailtree.access.Users;
import io.mailtree.accounts.AccountTree;
import io.mailtree.keys.ApiKeys;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.util.unit.DataSize;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationSuccessHandler;

/**
 * Three doors: the provisioning API (operator token), the account API (API keys, stateless, no
 * CSRF because no cookies), and the web UI (form sign-in, server-side session, CSRF tokens). Each
 * bounds multipart requests before anything reads them ({@link MultipartLimitFilter}).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final String[] PUBLIC_PAGES = {"/", "/login", "/signup", "/check-email", "/verify",
        "/forgot-password", "/reset-password", "/invitations/accept", "/senders/confirm", "/error", "/webjars/**", "/css/**", "/js/**",
        "/favicon.ico", "/i/*", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html", "/actuator/health/**",
        "/actuator/health"};

    /** bcrypt by default, behind the delegating encoder so the algorithm can change without a migration. */
    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /**
     * Actuator endpoints but health (metrics, Prometheus) answer only the operator's token, like the
     * provisioning API; without a configured token they answer 404. Health stays public for probes.
     */
    @Bean
    @Order(0)
    SecurityFilterChain actuatorSecurity(HttpSecurity http, @Value("${mailtree.operator.token:}") String token)
            throws Exception {
        OperatorTokenFilter operatorOnly = new OperatorTokenFilter(token) {
            @Override
            protected boolean shouldNotFilter(jakarta.servlet.http.HttpServletRequest request) {
                String path = request.getRequestURI().substring(request.getContextPath().length());
                return path.equals("/actuator/health") || path.startsWith("/actuator/health/");
            }
        };
        return http.securityMatcher("/actuator/**")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(operatorOnly, AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a.requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .anyRequest().hasRole("OPERATOR"))
                .build();
    }

    @Bean
    @Order(1)
    SecurityFilterChain provisioningApiSecurity(HttpSecurity http, @Value("${mailtree.operator.token:}") String token,
            @Value("${mailtree.multipart.max-bytes:1MB}") DataSize multipartMax) throws Exception {
        return http.securityMatcher("/api/platform/**")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new OperatorTokenFilter(token), AuthorizationFilter.class)
                .addFilterAfter(new MultipartLimitFilter(multipartMax.toBytes()), OperatorTokenFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().hasRole("OPERATOR"))
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain accountApiSecurity(HttpSecurity http, ApiKeys keys, AccountTree accounts,
            @Value("${mailtree.multipart.max-bytes:1MB}") DataSize multipartMax) throws Exception {
        return http.securityMatcher("/api/**")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ApiKeyFilter(keys, accounts), AuthorizationFilter.class)
                .addFilterAfter(new MultipartLimitFilter(multipartMax.toBytes()), ApiKeyFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().hasRole("API"))
                .build();
    }

    /**
     * The one-click unsubscribe links of campaign mail (ADR 0025): RFC 8058 has the mailbox provider
     * POST to the link with no cookies and no CSRF token, so {@code /u/*} alone is public, stateless
     * and exempt from CSRF. The signed token in the path is the proof; the page's own button posts
     * to the same link.
     */
    @Bean
    @Order(3)
    SecurityFilterChain unsubscribeLinkSecurity(HttpSecurity http) throws Exception {
        return http.securityMatcher("/u/*")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .securityContext(context -> context.disable())
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(
                        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                + "script-src 'self'; frame-ancestors 'none'; form-action 'self'")))
                .build();
    }

    @Bean
    @Order(4)
    SecurityFilterChain webUiSecurity(HttpSecurity http, Users users, Members members, AccountTree accounts,
            TwoFactor twoFactor,
            @Value("${mailtree.multipart.max-bytes:1MB}") DataSize multipartMax) throws Exception {
        return http
                // Before the CSRF filter, whose parameter read would parse (and spool) the whole upload.
                .addFilterBefore(new MultipartLimitFilter(multipartMax.toBytes()), CsrfFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(PUBLIC_PAGES).permitAll()
                        .requestMatchers("/reset-password/**", "/verify/**").permitAll()
                        // Captured mail holds reset links: never public (see DevMailboxAccess).
                        .requestMatchers("/dev/mailbox", "/dev/mailbox/**").access(new DevMailboxAccess())
                        .requestMatchers("/platform/**").hasRole("OPERATOR")
                        .requestMatchers("/login/code").hasAuthority(TwoFactorPending.ROLE)
                        .anyRequest().hasRole("USER"))
                .formLogin(form -> form.loginPage("/login").usernameParameter("email")
                        .successHandler(successHandler()).failureHandler(failureHandler()).permitAll())
                .logout(logout -> logout.logoutUrl("/logout").logoutSuccessUrl("/login?signedOut"))
                .exceptionHandling(e -> e.accessDeniedHandler(secondStepFirst()))
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(
                        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                + "script-src 'self'; frame-ancestors 'none'; form-action 'self'")))
                .addFilterBefore(new WebCallerFilter(users, members, accounts, twoFactor), AuthorizationFilter.class)
                .build();
    }

    /**
     * Each principal lands on its own start page: the operator on the console (it has no home page,
     * which answered 403), a user on the page it asked for before signing in, or home.
     */
    private static AuthenticationSuccessHandler successHandler() {
        SavedRequestAwareAuthenticationSuccessHandler users = new SavedRequestAwareAuthenticationSuccessHandler();
        users.setDefaultTargetUrl("/home");
        SimpleUrlAuthenticationSuccessHandler operators = new SimpleUrlAuthenticationSuccessHandler("/platform");
        return (request, response, authentication) -> {
            if (TwoFactorPending.is(authentication)) {
                response.sendRedirect(request.getContextPath() + "/login/code");
            } else if (authentication.getPrincipal() instanceof SignedInOperator) {
                operators.onAuthenticationSuccess(request, response, authentication);
            } else {
                users.onAuthenticationSuccess(request, response, authentication);
            }
        };
    }

    /**
     * A person who gave the password but not yet the code is sent to the code from any page they ask
     * for (GET), rather than shown a 403 they can do nothing about; everything else refused is a 403.
     */
    private static org.springframework.security.web.access.AccessDeniedHandler secondStepFirst() {
        var refuse = new org.springframework.security.web.access.AccessDeniedHandlerImpl();
        return (request, response, denied) -> {
            var authentication = org.springframework.security.core.context.SecurityContextHolder.getContext()
                    .getAuthentication();
            if (authentication != null && TwoFactorPending.is(authentication) && "GET".equals(request.getMethod())) {
                response.sendRedirect(request.getContextPath() + "/login/code");
            } else {
                refuse.handle(request, response, denied);
            }
        };
    }

    /** Tells a deactivated sub-account and a throttled login apart from a wrong password (D-12). */
    private static AuthenticationFailureHandler failureHandler() {
        return (request, response, exception) -> {
            String reason = exception instanceof DisabledException disabled
                    ? ("revoked".equals(disabled.getMessage()) ? "revoked" : "deactivated")
                    : exception instanceof LockedException ? "throttled" : "bad";
            response.sendRedirect(request.getContextPath() + "/login?error=" + reason);
        };
    }
}
