// Front-to-back emission-absorption ray casting through a scalar volume.
// The volume is sampled in texture space; u_inv_mvp takes clip space there,
// u_tex_to_world measures steps in mm so opacity does not depend on the grid.
uniform sampler3D u_volume;        // values normalised to [0, 1]
uniform sampler2D u_transfer;      // RGBA over [u_tf_low, u_tf_high], one row
uniform sampler3D u_occupancy;     // per brick: may anything in it be visible?
uniform vec3 u_brick_scale;        // texture coordinates -> brick coordinates
uniform mat4 u_inv_mvp;            // clip -> texture coordinates
uniform mat3 u_tex_to_world;       // texture direction -> world mm
uniform mat3 u_normal_matrix;      // texture gradient -> world normal
uniform vec3 u_texel;              // 1 / dimensions
uniform vec2 u_value_map;          // value = tex * x + y
uniform vec2 u_tf_range;           // low, 1 / (high - low)
uniform float u_step_mm;
uniform float u_shading;           // 0: emission only, 1: gradient shading
uniform vec3 u_background;
uniform float u_mip;               // 1: maximum intensity projection
uniform vec2 u_mip_window;         // low edge, 1 / width
uniform sampler3D u_brick_max;     // each brick's largest value (normalised)
uniform mat4 u_tex_to_world4;      // texture coordinates -> patient mm
uniform vec4 u_clip_plane;         // n.x + d > 0 is removed (n = 0: nothing)
uniform vec3 u_clip_lo;            // clipping box, patient mm
uniform vec3 u_clip_hi;
uniform sampler2D u_surface_color; // opaque surfaces drawn first: colour
uniform sampler2D u_surface_depth; // and depth (1: none)
uniform float u_has_surface;
in vec2 v_ndc;
uniform mat4 u_mvp;                // texture coordinates -> clip space
layout (location = 0) out vec4 frag_color;
// Where the ray became half opaque, as window depth (1: never): what hides
// see-through surfaces behind the volume.
layout (location = 1) out float frag_depth;

const float REFERENCE_MM = 1.0;

vec4
classify (vec3 p)
{
  float value = texture (u_volume, p).r * u_value_map.x + u_value_map.y;
  float t = (value - u_tf_range.x) * u_tf_range.y;
  return texture (u_transfer, vec2 (t, 0.5));
}

vec3
gradient (vec3 p)
{
  return vec3 (texture (u_volume, p + vec3 (u_texel.x, 0, 0)).r - texture (u_volume, p - vec3 (u_texel.x, 0, 0)).r,
               texture (u_volume, p + vec3 (0, u_texel.y, 0)).r - texture (u_volume, p - vec3 (0, u_texel.y, 0)).r,
               texture (u_volume, p + vec3 (0, 0, u_texel.z)).r - texture (u_volume, p - vec3 (0, 0, u_texel.z)).r);
}

void
main ()
{
  vec4 near_h = u_inv_mvp * vec4 (v_ndc, -1.0, 1.0);
  vec4 far_h = u_inv_mvp * vec4 (v_ndc, 1.0, 1.0);
  vec3 origin = near_h.xyz / near_h.w;
  vec3 dir = far_h.xyz / far_h.w - origin;

  // Slab intersection with the unit cube.
  vec3 inv = 1.0 / dir;
  vec3 t0 = (vec3 (0.0) - origin) * inv;
  vec3 t1 = (vec3 (1.0) - origin) * inv;
  vec3 tmin = min (t0, t1), tmax = max (t0, t1);
  float enter = max (max (tmin.x, tmin.y), max (tmin.z, 0.0));
  float leave = min (min (tmax.x, tmax.y), min (tmax.z, 1.0));

  // An opaque surface ends the ray where it is, and shows behind the volume
  // in front of it.
  vec3 behind = u_background;
  bool surface_behind = false;
  if (u_has_surface > 0.5)
    {
      vec2 uv = v_ndc * 0.5 + 0.5;
      float d = texture (u_surface_depth, uv).r;
      if (d < 1.0)
        {
          vec4 s_h = u_inv_mvp * vec4 (v_ndc, d * 2.0 - 1.0, 1.0);
          leave = min (leave, dot (s_h.xyz / s_h.w - origin, dir) / dot (dir, dir));
          behind = texture (u_surface_color, uv).rgb;
          surface_behind = true;
        }
    }

  // The clipping box and plane cut the ray's interval, in patient space
  // (the map from texture space is affine, so the ray stays a line).
  vec3 w0 = (u_tex_to_world4 * vec4 (origin, 1.0)).xyz;
  vec3 wd = (u_tex_to_world4 * vec4 (dir, 0.0)).xyz;
  vec3 winv = 1.0 / wd;
  vec3 c0 = (u_clip_lo - w0) * winv, c1 = (u_clip_hi - w0) * winv;
  vec3 cmin = min (c0, c1), cmax = max (c0, c1);
  enter = max (enter, max (max (cmin.x, cmin.y), cmin.z));
  leave = min (leave, min (min (cmax.x, cmax.y), cmax.z));
  float f0 = dot (u_clip_plane.xyz, w0) + u_clip_plane.w, fd = dot (u_clip_plane.xyz, wd);
  if (abs (fd) > 1e-12)
    {
      float t = -f0 / fd;      // where the ray crosses the plane
      if (fd > 0.0)
        leave = min (leave, t);
      else
        enter = max (enter, t);
    }
  else if (f0 > 0.0)
    leave = enter;           // parallel, and wholly on the removed side
  if (leave <= enter)
    {
      frag_color = vec4 (behind, 1.0);
      frag_depth = 1.0;
      return;
    }

  float length_mm = length (u_tex_to_world * (dir * (leave - enter)));
  int steps = int (ceil (length_mm / u_step_mm));
  vec3 step = dir * (leave - enter) / float (steps);
  float step_mm = length_mm / float (steps);
  vec3 view_dir = normalize (u_tex_to_world * dir);

  // Jitter the first sample to break up wood-grain rings.
  float jitter = fract (sin (dot (gl_FragCoord.xy, vec2 (12.9898, 78.233))) * 43758.5453);
  vec3 p = origin + dir * enter + step * jitter;

  // Steps needed to cross one brick along each axis, for the leaps below.
  vec3 step_bricks = abs (step * u_brick_scale);
  vec4 acc = vec4 (0.0);
  float hit_depth = 1.0;
  float peak = -1e30;
  int next_check = 0;   // the step at which the ray enters another brick
  for (int i = 0; i < steps; i++, p += step)
    {
      if (i >= next_check)
        {
          vec3 b = p * u_brick_scale;
          // How many bricks around this one are empty: the ray leaps to the
          // far side of that cube in one go.
          float dist = floor (texelFetch (u_occupancy, ivec3 (b), 0).r * 255.0 + 0.5);
          bool empty = dist > 0.0;
          // A MIP gains nothing from a brick that cannot beat its peak.
          if (u_mip > 0.5 && !empty && texelFetch (u_brick_max, ivec3 (b), 0).r <= peak)
            {
              empty = true;
              dist = 1.0;
            }
          vec3 cell = floor (b);
          vec3 reach = empty ? vec3 (dist - 1.0) : vec3 (0.0);
          vec3 to_face = mix (cell + 1.0 + reach - b, b - (cell - reach), lessThan (step, vec3 (0.0)));
          vec3 n = to_face / max (step_bricks, vec3 (1e-9));
          int leap = max (int (min (n.x, min (n.y, n.z))), 1);
          if (empty)
            {
              // Nothing visible in this brick: leap to its far side, staying on
              // the same sample lattice so skipping leaves no seams.
              i += leap - 1;
              p += step * float (leap - 1);
              continue;
            }
          // Something may be visible: sample every step until the brick ends.
          next_check = i + leap;
        }
      if (u_mip > 0.5)
        {
          peak = max (peak, texture (u_volume, p).r);
          continue;
        }
      vec4 s = classify (p);
      if (s.a > 0.002)
        {
          float alpha = 1.0 - pow (1.0 - min (s.a, 0.999), step_mm / REFERENCE_MM);
          vec3 color = s.rgb;
          // Nearly transparent samples add too little to be worth lighting.
          if (u_shading > 0.5 && alpha > 0.02)
            {
              vec3 g = u_normal_matrix * gradient (p);
              float len = length (g);
              if (len > 1e-6)
                {
                  // Headlight: the light comes from the eye.
                  vec3 n = g / len;
                  float diffuse = abs (dot (n, view_dir));
                  float specular = pow (diffuse, 24.0);
                  color = color * (0.25 + 0.75 * diffuse) + vec3 (0.25 * specular);
                }
            }
          acc.rgb += (1.0 - acc.a) * alpha * color;
          acc.a += (1.0 - acc.a) * alpha;
          if (hit_depth >= 1.0 && acc.a >= 0.5)
            {
              vec4 clip = u_mvp * vec4 (p, 1.0);
              hit_depth = clip.z / clip.w * 0.5 + 0.5;
            }
          if (acc.a > 0.98)
            break;
        }
    }
  if (u_mip > 0.5)
    {
      float value = peak * u_value_map.x + u_value_map.y;
      float g = clamp ((value - u_mip_window.x) * u_mip_window.y, 0.0, 1.0);
      // A MIP is black where nothing reaches the window, unless a surface
      // is there.
      frag_color = vec4 (surface_behind && g <= 0.0 ? behind : vec3 (g), 1.0);
      frag_depth = 1.0;
      return;
    }
  frag_color = vec4 (acc.rgb + (1.0 - acc.a) * behind, 1.0);
  frag_depth = hit_depth;
}
