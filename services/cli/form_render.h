/*  form_render.h - the 资源申请审核表 as a clerk reads it: the form's
    sections in its own words, each resource line as asked and as
    granted (核定).                                                    */
#ifndef FORM_RENDER_H_INCLUDED
#define FORM_RENDER_H_INCLUDED

#include <msgpack.h>
#include <stdio.h>

//  `granted` may be NULL (not yet approved): the 核定 column stays empty.
void form_render (FILE *out,
                  const msgpack_object *form,
                  const msgpack_object *granted);

//  The materials (申请材料, R8) as application.get lists them.
void form_render_materials (FILE *out, const msgpack_object *materials);

#endif
