package dev.berth.encryptor;

import java.util.List;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * What validation found out and decided: the source image as EC2 describes it, the new image's
 * name and description, the key (the account's default resolved), and whether the image carries
 * billing product codes and so must be launched rather than copied.
 *
 * @param source the source image
 * @param name the new image's name
 * @param description the new image's description
 * @param kmsKeyId the key every snapshot of the new image must be encrypted under
 * @param billingProducts whether the source has product codes
 * @param securityGroupIds the groups for any launch
 * @param statusCidr strategy instance: who may reach the status port; empty otherwise
 * @param encryptorImageId strategy instance: the encryptor image (from the option or the catalog); empty otherwise
 */
record Plan(Image source, String name, String description, String kmsKeyId, boolean billingProducts,
    List<String> securityGroupIds, String statusCidr, String encryptorImageId) {}
