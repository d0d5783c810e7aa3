(** * Affine change of variables for the Lebesgue integral on R

    For [a > 0] and any [b], the map [phi x = a x + b] and the Lebesgue
    measure [lambda] (mathcomp-analysis [lebesgue_measure] on Stdlib [R]):

      int f(a x + b) dx = (1/a) int f(x) dx,

    for every [f], measurable or not, and [x |-> f (a x + b)] is integrable
    iff [f] is.  The graph semantics uses it as the change of variables
    [x = s e + m] of reparameterization (Reparameterize.v):

      int N(x; m, s^2) h(x) dx = int N(e; 0, 1) h(s e + m) de,

    and the same for integrability.

    - [lebesgue_affine_preimage]: [lambda (phi^-1 A) = lambda A / a] for every
      measurable [A].  The measure [A |-> a lambda (phi^-1 A)] (a scaled
      [pushforward]) gives []x, y]] its length, because the preimage of
      []x, y]] is [](x - b)/a, (y - b)/a]]; it is then [lambda] on measurable
      sets by uniqueness of the extension ([lebesgue_measure_unique]).
    - [sintegral_comp_affine]: for a nonnegative simple function [h],
      [h o phi] is one ([comp_affine_nnsfun]) and its simple integral is
      that of [h] divided by [a] (its level sets are preimages under [phi]).
    - [ge0_integral_affine]: the nonnegative version, for every
      [f : R -> \bar R] (no measurability): the integral is the supremum of
      the simple integrals below [f] ([ge0_integralTE]), and [h |-> h o phi]
      maps the simple functions below [f] onto those below [f o phi] (its
      inverse is composition with the affine map [phi^-1]).  This mirrors
      GaussianND.v's [ge0_integral_scale].
    - [fine_integral_affine]: the real value, through the positive and
      negative parts ([integralE]), as GaussianND.v's [fine_integral_scale]
      (both sides are 0 when the integral is not finite);
      [integrable_affine]: measurability goes both ways by composing with
      [phi] or [phi^-1], and the integral of [|f|] is scaled by [1/a].
    - In Stdlib notation: [Lint_affine], [Lintegrable_affine]; with
      [gauss_pdf m s (s e + m) = gauss_pdf 0 1 e / s] ([gauss_pdf_affine]),
      the Gaussian forms [Lint_gauss_affine], [Lintegrable_gauss_affine],
      which are the hypotheses of Reparameterize.v's section [Reparam]. *)
From Coq Require Import Reals Lra.
From Certigrad Require Import Preamble.
(* Coq's implicit-argument defaults, not mathcomp's: see Preamble.v. *)
Unset Implicit Arguments.
Set Strict Implicit.
Set Printing Implicit Defensive.
From Certigrad Require GaussianND Stochastic.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Section affine_lebesgue.

Local Notation R := real_realType.
(** The measurable structure that [lebesgue_measure] lives on. *)
Local Notation T := (salgebraType (R.-ocitv.-measurable)).
Local Notation lambda := (@lebesgue_measure R).

(** [phi x = a x + b]. *)
Definition affine_map (a b : R) (x : R) : R := a * x + b.

Lemma affine_map_measurable (a b : R) :
  measurable_fun (setT : set T) (affine_map a b : T -> T).
Proof.
have : measurable_fun (setT : set R) (affine_map a b).
  rewrite (_ : affine_map a b = (fun x => a * x) \+ cst b) //.
  apply: measurable_funD; last exact: measurable_fun_cst.
  by apply: measurable_funrM; exact: measurable_fun_id.
(* [T] has the same measurable sets as [R]. *)
exact.
Qed.

Lemma affine_map_preimage_itv (a b x y : R) : 0 < a ->
  affine_map a b @^-1` `]x, y]%classic = `](x - b) / a, (y - b) / a]%classic.
Proof.
move=> a0; apply/seteqP; split => z /=; rewrite !in_itv /=.
  by rewrite ltr_pdivr_mulr // ler_pdivl_mulr // ltr_subl_addr ler_subr_addr [z * a]mulrC.
by rewrite ltr_pdivr_mulr // ler_pdivl_mulr // ltr_subl_addr ler_subr_addr [z * a]mulrC.
Qed.

Lemma lebesgue_affine_preimage (a b : R) : 0 < a ->
  forall A : set T, measurable A -> (lambda (affine_map a b @^-1` A) = a^-1%:E * lambda A)%E.
Proof.
move=> a0 A mA.
(* [mu A = a lambda (phi^-1 A)] *)
pose mu := mscale (NngNum (ltW a0)) (pushforward lambda (affine_map_measurable a b)).
have muE (X : set R) : ocitv X -> hlength X = mu X.
  move=> [[x y] _ <-] /=; rewrite /mu /mscale /pushforward /= affine_map_preimage_itv //.
  rewrite lebesgue_measure_itv !hlength_itv /= !lte_fin ltr_pmul2r ?invr_gt0 // ltr_add2r.
  case: ifP => _; last by rewrite mule0.
  rewrite -EFinM -mulrBl mulrCA mulfV ?gt_eqF // mulr1 opprB addrA subrK.
  by rewrite -EFinB.
rewrite (lebesgue_measure_unique muE mA) /mu /mscale /pushforward /=.
by rewrite muleA -EFinM mulVf ?gt_eqF // mul1e.
Qed.

(** [h o phi] for a nonnegative simple function [h] is one. *)
Section comp_affine.
Variables (h : {nnsfun T >-> R}) (a b : R).

Definition comp_affine : T -> R := fun x => h (affine_map a b x).

Lemma comp_affine_map_measurable : @IsMeasurableFun _ T R comp_affine.
Proof. by split; exact: (measurable_fun_comp _ (affine_map_measurable a b)). Qed.
HB.instance Definition _ := comp_affine_map_measurable.

Lemma comp_affine_finite_image : @FiniteImage T R comp_affine.
Proof.
split; apply: sub_finite_set (@fimfunP _ _ h).
by move=> _ [x _ <-]; exists (affine_map a b x).
Qed.
HB.instance Definition _ := comp_affine_finite_image.

Lemma comp_affine_ge0 : @IsNonNegFun T R comp_affine.
Proof. by split => x; exact: fun_ge0. Qed.
HB.instance Definition _ := comp_affine_ge0.

Definition comp_affine_nnsfun := [the {nnsfun T >-> R} of comp_affine].

Lemma sintegral_comp_affine : 0 < a ->
  sintegral lambda comp_affine = (a^-1%:E * sintegral lambda h)%E.
Proof.
move=> a0; have a10 : 0 <= a^-1 by rewrite invr_ge0 ltW.
transitivity (sintegral (mscale (NngNum a10) lambda) h).
  rewrite !sintegralET; apply: eq_fsbigr => x _.
  by rewrite /mscale /= -(@lebesgue_affine_preimage a b a0) //; exact: measurable_sfunP.
rewrite -integralT_nnsfun ge0_integral_mscale //= ?integralT_nnsfun //.
  exact: measurable_fun_comp (@measurable_fun_EFin R setT) (@measurable_funP _ _ _ h).
by move=> x _; rewrite lee_fin.
Qed.

End comp_affine.

(** The inverse of [phi] is affine: [phi^-1 x = a^-1 x - b / a]. *)
Lemma affine_mapK (a b : R) : a != 0 ->
  cancel (affine_map a b) (affine_map a^-1 (- b / a)).
Proof.
move=> a0 x; rewrite /affine_map mulrDr mulrA mulVf // mul1r.
by rewrite -addrA mulNr [b * a^-1]mulrC subrr addr0.
Qed.

Lemma affine_mapVK (a b : R) : a != 0 ->
  cancel (affine_map a^-1 (- b / a)) (affine_map a b).
Proof.
move=> a0 x; rewrite /affine_map mulrDr mulrA mulfV // mul1r.
by rewrite mulrCA mulfV // mulr1 subrK.
Qed.

Lemma ge0_integral_affine (f : R -> \bar R) (a b : R) : 0 < a ->
  (forall x, 0 <= f x)%E ->
  (\int[lambda]_x f (a * x + b)%R = a^-1%:E * \int[lambda]_x f x)%E.
Proof.
move=> a0 f0; have an0 : a != 0 by rewrite gt_eqF.
rewrite !ge0_integralTE //; apply/eqP; rewrite eq_le; apply/andP; split.
  (* [g] below [f o phi] is [g' o phi] for [g' = g o phi^-1] below [f] *)
  apply: ub_ereal_sup => _ [g gf <-].
  pose g' := comp_affine_nnsfun g a^-1 (- b / a).
  rewrite (eq_sintegral (comp_affine g' a b)); last first.
    by move=> x; rewrite /= /comp_affine affine_mapK.
  rewrite sintegral_comp_affine // lee_pmul2l ?lte_fin ?invr_gt0 //.
  apply: ereal_sup_ub; exists g' => // x.
  have := gf (affine_map a^-1 (- b / a) x).
  by rewrite /= /comp_affine -/(affine_map a b _) affine_mapVK.
(* [g] below [f] gives [g o phi] below [f o phi] *)
rewrite -lee_pdivl_mull ?invr_gt0 // invrK.
apply: ub_ereal_sup => _ [g gf <-].
rewrite -lee_pdivr_mull // -(@sintegral_comp_affine g a b a0).
by apply: ereal_sup_ub; exists (comp_affine_nnsfun g a b) => // x; exact: gf.
Qed.

Lemma fine_integral_affine (f : R -> R) (a b : R) : 0 < a ->
  fine (\int[lambda]_x (f (a * x + b))%:E)%E = fine (\int[lambda]_x (f x)%:E)%E / a.
Proof.
move=> a0.
rewrite integralE [in RHS]integralE.
rewrite (ge0_integral_affine (funepos (EFin \o f))) //.
rewrite (ge0_integral_affine (funeneg (EFin \o f))) //.
move: (\int[lambda]_x _)%E (\int[lambda]_x _)%E => P N.
have a10 : 0 < a^-1 by rewrite invr_gt0.
case: P => [p||]; case: N => [q||] //=; rewrite ?gt0_muley ?gt0_muleNy ?lte_fin //= ?mul0r //.
by rewrite mulrBl ![_ * a^-1]mulrC.
Qed.

Lemma integrable_affine (f : R -> R) (a b : R) : 0 < a ->
  lambda.-integrable setT (EFin \o (fun x => f (a * x + b))) <->
  lambda.-integrable setT (EFin \o f).
Proof.
move=> a0; have an0 : a != 0 by rewrite gt_eqF.
have a10 : 0 < a^-1 by rewrite invr_gt0.
have absE := ge0_integral_affine (fun x => `|(f x)%:E|)%E a b a0 (fun x => abse_ge0 _).
rewrite /integrable /= absE.
move: (\int[lambda]_x _)%E => X.
have finE : (a^-1%:E * X < +oo)%E <-> (X < +oo)%E.
  by case: X => [x||] //=; rewrite ?ltry ?gt0_muley ?gt0_muleNy ?lte_fin ?ltNyr.
rewrite finE; split => -[mf fi]; split => //.
  have -> : EFin \o f = (EFin \o (fun x => f (a * x + b))) \o affine_map a^-1 (- b / a).
    by apply: funext => x; rewrite /= -/(affine_map a b _) affine_mapVK.
  exact: measurable_fun_comp mf (affine_map_measurable _ _).
exact: measurable_fun_comp mf (affine_map_measurable a b).
Qed.

(** Scaling by a nonzero constant keeps integrability. *)
Lemma integrable_scale (g : R -> R) (c : R) : c != 0 ->
  lambda.-integrable setT (EFin \o (fun x => g x * c)) <->
  lambda.-integrable setT (EFin \o g).
Proof.
have scale (g' : R -> R) (c' : R) : lambda.-integrable setT (EFin \o g') ->
    lambda.-integrable setT (EFin \o (fun x => g' x * c')).
  move=> Ig; apply: eq_integrable (integrablerM measurableT c' Ig) => // x _.
  by rewrite /= EFinM muleC.
move=> c0; split => [Igc|]; last exact: scale.
apply: eq_integrable (scale _ c^-1 Igc) => // x _.
by rewrite /= -mulrA mulfV // mulr1.
Qed.

End affine_lebesgue.

(** * In Stdlib notation, for [Lint] and [Lintegrable] *)

Import Stochastic.
Local Open Scope R_scope.

Theorem Lint_affine (f : R -> R) (k m : R) : 0 < k ->
  Lint (fun e => f (k * e + m)) = Lint f / k.
Proof.
move=> /RltP k0; rewrite /Lint RdivE ?gt_eqF //; exact: fine_integral_affine.
Qed.

Theorem Lintegrable_affine (f : R -> R) (k m : R) : 0 < k ->
  Lintegrable (fun e => f (k * e + m)) <-> Lintegrable f.
Proof. move=> /RltP k0; exact: integrable_affine. Qed.

(** [Lint] commutes with a positive factor, for every [g]. *)
Lemma Lint_scale (g : R -> R) (c : R) : 0 < c -> Lint (fun x => g x * c) = Lint g * c.
Proof. move=> /RltP c0; exact: GaussianND.fine_integral_scale. Qed.

Lemma Lintegrable_scale (g : R -> R) (c : R) : 0 < c ->
  Lintegrable (fun x => g x * c) <-> Lintegrable g.
Proof. move=> /RltP c0; exact: (integrable_scale g c (negbT (gt_eqF c0))). Qed.

(** [N(0, 1)] at [e] is [s] times [N(m, s^2)] at [s e + m]. *)
Lemma gauss_pdf_affine (m s e : R) : 0 < s ->
  gauss_pdf 0 1 e = gauss_pdf m s (s * e + m) * s.
Proof.
move=> s0; rewrite /gauss_pdf.
have -> : - ((s * e + m - m) * (s * e + m - m)) / (2 * (s * s)) =
          - ((e - 0) * (e - 0)) / (2 * (1 * 1)) by field; lra.
have : 0 < sqrt (2 * PI) by apply: sqrt_lt_R0; have := PI_RGT_0; lra.
by move=> ?; field; lra.
Qed.

Corollary Lint_gauss_affine (m s : R) (h : R -> R) : 0 < s ->
  Lint (fun x => gauss_pdf m s x * h x) = Lint (fun e => gauss_pdf 0 1 e * h (s * e + m)).
Proof.
move=> s0; set F := fun x => gauss_pdf m s x * h x.
rewrite [RHS](Lint_ext _ (fun e => F (s * e + m) * s)); last first.
  by move=> e; rewrite /F (gauss_pdf_affine m s e s0); ring.
by rewrite Lint_scale // Lint_affine //; field; lra.
Qed.

Corollary Lintegrable_gauss_affine (m s : R) (h : R -> R) : 0 < s ->
  Lintegrable (fun x => gauss_pdf m s x * h x) <->
  Lintegrable (fun e => gauss_pdf 0 1 e * h (s * e + m)).
Proof.
move=> s0; set F := fun x => gauss_pdf m s x * h x.
have -> : (fun e => gauss_pdf 0 1 e * h (s * e + m)) = (fun e => F (s * e + m) * s).
  by apply: funext => e; rewrite /F (gauss_pdf_affine m s e s0); ring.
by rewrite Lintegrable_scale // Lintegrable_affine.
Qed.
