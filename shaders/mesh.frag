// A surface lit by a headlight, as the volume is. Opaque surfaces write
// colour and depth; with OIT defined, transparent ones add to the weighted
// blended order-independent transparency targets (McGuire and Bavoil 2013):
// colour * alpha * weight and revealage in the first, alpha * weight in the
// second, under one blend state that GL 3.3 allows for both.
in vec3 v_position;
in vec3 v_normal;
uniform vec4 u_color;
uniform vec3 u_eye;
layout (location = 0) out vec4 out_color;
#ifdef OIT
layout (location = 1) out vec4 out_weight;
uniform sampler2D u_volume_depth;  // where the volume's rays became half opaque
uniform float u_has_volume_depth;
uniform vec2 u_viewport;
#endif

vec3
lit (vec3 base)
{
  vec3 n = normalize (v_normal);
  vec3 l = normalize (u_eye - v_position);
  // Both sides lit: a clipped or open surface shows its inside too.
  float diffuse = abs (dot (n, l));
  float specular = pow (diffuse, 32.0);
  return base * (0.3 + 0.7 * diffuse) + vec3 (0.2 * specular);
}

void
main ()
{
  vec3 color = lit (u_color.rgb);
#ifdef OIT
  // Behind what the volume shows opaque (bone in front of a lung): hidden.
  if (u_has_volume_depth > 0.5 && gl_FragCoord.z > texture (u_volume_depth, gl_FragCoord.xy / u_viewport).r)
    discard;
  float a = u_color.a;
  // Nearer and more opaque layers weigh more.
  float z = gl_FragCoord.z;
  float w = clamp (pow (min (1.0, a * 10.0) + 0.01, 3.0) * 1e8 * pow (1.0 - z * 0.9, 3.0), 1e-2, 3e3);
  out_color = vec4 (color * a * w, a);
  out_weight = vec4 (a * w, 0.0, 0.0, a);
#else
  out_color = vec4 (color, 1.0);
#endif
}
