package it.firenze.streetcad.access;

import java.net.URI;

/**
 * The city's identity provider, for single sign-on with bearer JWTs.
 *
 * @param issuer     the {@code iss} every token must carry
 * @param audience   the {@code aud} every token must include (StreetCad's client id at the provider)
 * @param jwksUrl    where the provider publishes its signing keys (JWKS)
 * @param rolesClaim the claim holding the StreetCad role names (a list, or a space-separated string)
 * @param orgClaim   the claim holding the organisation; null for none
 */
public record JwtSettings(String issuer, String audience, URI jwksUrl, String rolesClaim, String orgClaim) {

    public JwtSettings {
        if (issuer == null || issuer.isBlank()) throw new IllegalArgumentException("single sign-on needs the issuer");
        if (audience == null || audience.isBlank()) throw new IllegalArgumentException("single sign-on needs the audience");
        if (jwksUrl == null) throw new IllegalArgumentException("single sign-on needs the JWKS URL");
        if (rolesClaim == null || rolesClaim.isBlank()) rolesClaim = "roles";
    }
}
