// Surfaces in patient space (mm), drawn with the volume's camera. A moving
// surface (the twin's beating heart, its breathing lungs) first widens
// about its anchors by u_radial (a vessel about its centreline), then
// moves by u_model; its normals by u_normal_matrix.
layout (location = 0) in vec3 a_position;
layout (location = 1) in vec3 a_normal;
layout (location = 2) in vec3 a_anchor;
uniform mat4 u_view_proj;
uniform mat4 u_model;
uniform mat3 u_normal_matrix;
uniform float u_radial;
out vec3 v_position;
out vec3 v_normal;

void
main ()
{
  vec3 p = a_anchor + (a_position - a_anchor) * u_radial;
  vec4 moved = u_model * vec4 (p, 1.0);
  v_position = moved.xyz;
  v_normal = u_normal_matrix * a_normal;
  gl_Position = u_view_proj * moved;
}
