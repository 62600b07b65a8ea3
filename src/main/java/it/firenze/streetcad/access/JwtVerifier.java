package it.firenze.streetcad.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.net.MalformedURLException;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies the identity provider's bearer JWTs with nimbus-jose-jwt: a signature by a key of the provider's JWKS
 * (fetched and cached by the library) with an asymmetric algorithm, the configured issuer and audience, an expiry in
 * the future. Unsigned tokens ({@code alg: none}) and HMAC tokens are refused outright: the provider's public keys must
 * not double as shared secrets.
 */
final class JwtVerifier {

    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    private final JwtSettings settings;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    JwtVerifier(JwtSettings settings) {
        this.settings = settings;
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(settings.jwksUrl().toURL()).retrying(true).build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the JWKS URL " + settings.jwksUrl() + " is not a URL", e);
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(settings.audience(),
                new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("sub", "exp")));
    }

    /** The principal of a valid token; empty for any token that is not (malformed, unsigned, forged, expired, not ours). */
    Optional<Principal> verify(String token) {
        try {
            JWTClaimsSet claims = processor.process(token, null);
            String name = firstString(claims, "name", "preferred_username");
            String organisation = settings.orgClaim() == null ? null : claims.getStringClaim(settings.orgClaim());
            return Optional.of(new Principal("jwt:" + claims.getSubject(), name == null ? claims.getSubject() : name,
                    organisation, roles(claims.getClaim(settings.rolesClaim()))));
        } catch (ParseException | BadJOSEException | JOSEException e) {
            return Optional.empty();
        }
    }

    private static String firstString(JWTClaimsSet claims, String... names) throws ParseException {
        for (String n : names) {
            String v = claims.getStringClaim(n);
            if (v != null && !v.isBlank()) return v;
        }
        return null;
    }

    /** StreetCad's roles among the claim's values (a list or a space-separated string); others are ignored. */
    private static Set<Role> roles(Object claim) {
        Collection<?> values = claim instanceof Collection<?> c ? c
                : claim instanceof String s ? Arrays.asList(s.split("\\s+")) : List.of();
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (Object v : values) if (v instanceof String s) Role.byId(s).ifPresent(roles::add);
        return roles;
    }
}
