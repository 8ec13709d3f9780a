// Weighted blended transparency resolved over what is already drawn: the
// weighted mean colour of the layers, covering 1 - revealage of the pixel.
uniform sampler2D u_accum;     // rgb: sum of colour * alpha * weight; a: revealage
uniform sampler2D u_weight;    // r: sum of alpha * weight
uniform vec2 u_ratio;          // the layers' pixels per target pixel (1: the same size)
in vec2 v_ndc;
out vec4 frag_color;

void
main ()
{
  ivec2 p = min (ivec2 (gl_FragCoord.xy * u_ratio), textureSize (u_accum, 0) - 1);
  vec4 accum = texelFetch (u_accum, p, 0);
  float revealage = accum.a;
  if (revealage >= 1.0)
    discard;
  float weight = texelFetch (u_weight, p, 0).r;
  frag_color = vec4 (accum.rgb / max (weight, 1e-5), revealage);
}
